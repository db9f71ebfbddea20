import { AlertSeverity, alertSeverities, AlertSummary, AlertType, alertTypes, formatSummary } from '../monitor/alerts';
import { table } from '../monitor/reportTable';
import { localTime } from './table';
import { AuditRecord, AuditType, AuditWorkspace } from './record';
import type { AuditTrail } from './trail';

/** The dashboard's "recent" window: the last 24 hours. */
export const securityWindowMs = 24 * 3_600_000;

/** The records the recent counts come from (the reader's --type filter). */
export const securityRecordTypes: AuditType[] = ['alert.raised', 'breach.response', 'egress.blocked', 'audit.suppressed'];

/** A current alert as the summary needs it: a scope monitor's Alert, or one of the CLI's snapshot. */
export interface CurrentAlert {
  /** The engine scope's name; undefined is the default engine, as in the records. */
  engine?: string;
  workspace: AuditWorkspace;
  severity: AlertSeverity;
  type: AlertType;
}

/** What the trail says happened in the window. */
export interface RecentCounts {
  /** alert.raised records, by severity and by type. */
  alerts: AlertSummary;
  breachResponses: number;
  /** Of the breach responses, those that failed (the pause or stop did not happen). */
  failedResponses: number;
  /** Refused egress attempts, those the trail left out for a flooding box included. */
  egressBlocked: number;
  /** Alerts raised that the trail only counted (audit.suppressed): in no severity or type. */
  alertsLeftOut: number;
}

export interface WorkspaceSecurity {
  /** The engine scope's name ('default' for the default engine). */
  engine: string;
  workspace: AuditWorkspace;
  now: AlertSummary;
  recent: RecentCounts;
}

export interface SecuritySummary {
  /** When it was computed (the dashboard's "last updated"). */
  at: string;
  /** The start of the recent window. */
  since: string;
  now: AlertSummary;
  recent: RecentCounts;
  /** Every workspace with a current alert or a record in the window: most current alerts first, then most recent ones, then by name. */
  workspaces: WorkspaceSecurity[];
}

const emptyAlerts = (): AlertSummary => ({
  total: 0,
  bySeverity: Object.fromEntries(alertSeverities.map((severity) => [severity, 0])) as Record<AlertSeverity, number>,
  byType: Object.fromEntries(alertTypes.map((type) => [type, 0])) as Record<AlertType, number>,
});

const emptyRecent = (): RecentCounts => ({ alerts: emptyAlerts(), breachResponses: 0, failedResponses: 0, egressBlocked: 0, alertsLeftOut: 0 });

/** Counts one alert; a severity or type this version does not know (a newer writer's) counts in the total only. */
function countAlert(summary: AlertSummary, severity: unknown, type: unknown): void {
  summary.total++;
  if ((alertSeverities as unknown[]).includes(severity)) summary.bySeverity[severity as AlertSeverity]++;
  if ((alertTypes as unknown[]).includes(type)) summary.byType[type as AlertType]++;
}

function countRecord(recent: RecentCounts, record: AuditRecord): void {
  if (record.type === 'alert.raised') countAlert(recent.alerts, record.severity, record.alertType);
  if (record.type === 'breach.response') {
    recent.breachResponses++;
    if (record.outcome !== undefined && record.outcome !== 'ok') recent.failedResponses++;
  }
  if (record.type === 'egress.blocked') recent.egressBlocked++;
  if (record.type === 'audit.suppressed') {
    const counts = (record.counts ?? {}) as Partial<Record<AuditType, unknown>>;
    recent.egressBlocked += Number(counts['egress.blocked'] ?? 0) || 0;
    recent.alertsLeftOut += Number(counts['alert.raised'] ?? 0) || 0;
  }
}

function addRecent(total: RecentCounts, part: RecentCounts): void {
  total.alerts.total += part.alerts.total;
  alertSeverities.forEach((severity) => (total.alerts.bySeverity[severity] += part.alerts.bySeverity[severity]));
  alertTypes.forEach((type) => (total.alerts.byType[type] += part.alerts.byType[type]));
  total.breachResponses += part.breachResponses;
  total.failedResponses += part.failedResponses;
  total.egressBlocked += part.egressBlocked;
  total.alertsLeftOut += part.alertsLeftOut;
}

const recentTotal = (recent: RecentCounts): number => recent.alerts.total + recent.alertsLeftOut + recent.breachResponses + recent.egressBlocked;

/**
 * The security dashboard's numbers, for the Security view and `aicli-ws alerts --summary`
 * alike: the current alerts by severity and type, and from the audit trail what happened in
 * the window (alerts raised, breach responses, refused egress), in total and per workspace.
 * A workspace is told apart by engine and id, so two engines' workspaces of one name stay two.
 */
export function securitySummary(
  current: readonly CurrentAlert[],
  records: readonly AuditRecord[],
  window: { sinceMs: number; nowMs: number },
): SecuritySummary {
  const workspaces = new Map<string, WorkspaceSecurity>();
  const entryOf = (engine: string | undefined, workspace: AuditWorkspace): WorkspaceSecurity => {
    const key = `${engine ?? 'default'}\0${workspace.id ?? workspace.name}`;
    let entry = workspaces.get(key);
    if (!entry) workspaces.set(key, (entry = { engine: engine ?? 'default', workspace, now: emptyAlerts(), recent: emptyRecent() }));
    return entry;
  };
  const now = emptyAlerts();
  for (const alert of current) {
    countAlert(now, alert.severity, alert.type);
    countAlert(entryOf(alert.engine, alert.workspace).now, alert.severity, alert.type);
  }
  const recent = emptyRecent();
  for (const record of records) {
    const atMs = Date.parse(record.at);
    if (!(atMs >= window.sinceMs && atMs <= window.nowMs) || !securityRecordTypes.includes(record.type)) continue;
    const part = emptyRecent();
    countRecord(part, record);
    addRecent(recent, part);
    if (record.workspace) addRecent(entryOf(record.engine, record.workspace).recent, part);
  }
  const sorted = [...workspaces.values()].sort(
    (a, b) => b.now.total - a.now.total || recentTotal(b.recent) - recentTotal(a.recent) || a.workspace.name.localeCompare(b.workspace.name),
  );
  return { at: new Date(window.nowMs).toISOString(), since: new Date(window.sinceMs).toISOString(), now, recent, workspaces: sorted };
}

/** The window's records of the kinds the summary counts, read from the trail. */
export function recentSecurityRecords(trail: Pick<AuditTrail, 'read'>, nowMs: number): AuditRecord[] {
  return trail.read({ sinceMs: nowMs - securityWindowMs, types: securityRecordTypes });
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** "1 critical, 2 warning; 2 resource_violation, 1 security_breach" (or "no alerts"). */
export function formatAlertCounts(summary: AlertSummary): string {
  const types = alertTypes.filter((type) => summary.byType[type] > 0).map((type) => `${summary.byType[type]} ${type}`);
  return types.length ? `${formatSummary(summary)}; ${types.join(', ')}` : formatSummary(summary);
}

/** "3 alerts raised, 1 breach response (1 failed), 12 egress attempts blocked": the parts that are not zero. */
export function formatRecentCounts(recent: RecentCounts): string {
  const raised = recent.alerts.total + recent.alertsLeftOut;
  const parts = [
    raised ? `${plural(raised, 'alert')} raised` : '',
    recent.breachResponses ? `${plural(recent.breachResponses, 'breach response')}${recent.failedResponses ? ` (${recent.failedResponses} failed)` : ''}` : '',
    recent.egressBlocked ? `${plural(recent.egressBlocked, 'egress attempt')} blocked` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'nothing recorded';
}

const workspaceName = (entry: WorkspaceSecurity): string => (entry.engine === 'default' ? entry.workspace.name : `${entry.workspace.name}@${entry.engine}`);

/** The text of `aicli-ws alerts --summary`: the totals now and in the window, then a row per workspace. */
export function formatSecuritySummary(summary: SecuritySummary, host: string): string {
  const lines = [
    `Now on ${host}: ${plural(summary.now.total, 'alert')}${summary.now.total ? ` (${formatAlertCounts(summary.now)})` : ''}`,
    `Last 24 h (audit trail, since ${localTime(summary.since)}): ${formatRecentCounts(summary.recent)}${summary.recent.alerts.total ? ` (${formatAlertCounts(summary.recent.alerts)})` : ''}`,
  ];
  if (summary.workspaces.length === 0) return lines.join('\n');
  const rows = summary.workspaces.map((entry) => [
    workspaceName(entry),
    formatSummary(entry.now),
    formatSummary(entry.recent.alerts),
    String(entry.recent.breachResponses),
    String(entry.recent.egressBlocked),
  ]);
  return `${lines.join('\n')}\n\n${table(['WORKSPACE', 'NOW', 'RAISED IN 24 H', 'BREACH RESPONSES', 'EGRESS BLOCKED'], rows)}`;
}
