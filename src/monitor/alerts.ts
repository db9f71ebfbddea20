import { Disposable, Emitter } from '../engine/emitter';
import { MonitoredWorkspace } from './scope';

export type AlertType = 'resource_violation' | 'security_breach' | 'network_anomaly' | 'process_anomaly';
export const alertTypes: AlertType[] = ['resource_violation', 'security_breach', 'network_anomaly', 'process_anomaly'];

export type AlertSeverity = 'info' | 'warning' | 'error' | 'critical';
export const alertSeverities: AlertSeverity[] = ['info', 'warning', 'error', 'critical'];

/** The line of a workspace's policy document an alert concerns (one line per item). */
export type PolicyItem =
  | 'memory'
  | 'cpu'
  | 'pids'
  | 'privileged'
  | 'engineSocket'
  | 'capabilities'
  | 'noNewPrivileges'
  | 'seccomp'
  | 'ports'
  | 'hostNamespaces'
  | 'processes'
  | 'listeners'
  | 'health'
  | 'restarts'
  | 'oom'
  | 'protectedPaths'
  | 'egress'
  | 'networkRate'
  | 'diskRate'
  | 'disk';

/** What a rule reports; the store adds the key and the times. */
export interface AlertInput {
  workspace: MonitoredWorkspace;
  /** Stable per workspace: "memory", "audit.privileged", "event.oom", … */
  rule: string;
  type: AlertType;
  severity: AlertSeverity;
  policyItem: PolicyItem;
  message: string;
  /** When the condition began; for events, when the engine stamped them. */
  conditionAt: number;
  /** A risk the user accepted in settings (e.g. mounting the engine socket): reported, not acted on. */
  accepted?: boolean;
}

export interface Alert extends AlertInput {
  key: string;
  /** When the monitor first noticed the condition; detectedAt - conditionAt is the detection latency. */
  detectedAt: number;
  updatedAt: number;
}

export type AlertChange = { kind: 'raised' | 'updated' | 'cleared'; alert: Alert };

export interface AlertSummary {
  total: number;
  bySeverity: Record<AlertSeverity, number>;
  byType: Record<AlertType, number>;
}

export const alertKey = (containerId: string, rule: string): string => `${containerId}/${rule}`;

const severityRank = (severity: AlertSeverity): number => alertSeverities.indexOf(severity);

/**
 * The current alerts of one engine, keyed by workspace + rule: raising an existing key
 * updates it (keeping when it was first detected), clearing removes it. Listeners hear only
 * real changes, so a condition that holds for an hour is one diagnostic, not 3600.
 */
export class AlertStore implements Disposable {
  private readonly alerts = new Map<string, Alert>();
  private readonly changeEmitter = new Emitter<AlertChange>();

  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly now: () => number = Date.now) {}

  /** Returns the alert and whether listeners were told (a repeat with nothing new is silent). */
  raise(input: AlertInput): { alert: Alert; change: AlertChange['kind'] | undefined } {
    const key = alertKey(input.workspace.containerId, input.rule);
    const existing = this.alerts.get(key);
    const now = this.now();
    if (!existing) {
      const alert: Alert = { ...input, key, detectedAt: now, updatedAt: now };
      this.alerts.set(key, alert);
      this.changeEmitter.fire({ kind: 'raised', alert });
      return { alert, change: 'raised' };
    }
    const same =
      existing.severity === input.severity &&
      existing.message === input.message &&
      existing.type === input.type &&
      existing.policyItem === input.policyItem &&
      existing.accepted === input.accepted;
    if (same) return { alert: existing, change: undefined };
    const alert: Alert = { ...input, key, conditionAt: existing.conditionAt, detectedAt: existing.detectedAt, updatedAt: now };
    this.alerts.set(key, alert);
    this.changeEmitter.fire({ kind: 'updated', alert });
    return { alert, change: 'updated' };
  }

  clear(key: string): Alert | undefined {
    const alert = this.alerts.get(key);
    if (!alert) return undefined;
    this.alerts.delete(key);
    this.changeEmitter.fire({ kind: 'cleared', alert });
    return alert;
  }

  /** Clears a workspace's alerts, all of them or those a predicate picks. */
  clearWorkspace(containerId: string, which: (alert: Alert) => boolean = () => true): Alert[] {
    return this.list((alert) => alert.workspace.containerId === containerId && which(alert)).map((alert) => this.clear(alert.key) as Alert);
  }

  get(key: string): Alert | undefined {
    return this.alerts.get(key);
  }

  /** Most severe first, then oldest first. */
  list(filter: (alert: Alert) => boolean = () => true): Alert[] {
    return [...this.alerts.values()].filter(filter).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.detectedAt - b.detectedAt);
  }

  summary(filter?: (alert: Alert) => boolean): AlertSummary {
    const bySeverity = Object.fromEntries(alertSeverities.map((severity) => [severity, 0])) as Record<AlertSeverity, number>;
    const byType = Object.fromEntries(alertTypes.map((type) => [type, 0])) as Record<AlertType, number>;
    const alerts = this.list(filter);
    for (const alert of alerts) {
      bySeverity[alert.severity]++;
      byType[alert.type]++;
    }
    return { total: alerts.length, bySeverity, byType };
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

/** "2 critical, 1 warning" — for a tree tooltip or the CLI's summary line. */
export function formatSummary(summary: AlertSummary): string {
  if (summary.total === 0) return 'no alerts';
  return [...alertSeverities]
    .reverse()
    .filter((severity) => summary.bySeverity[severity] > 0)
    .map((severity) => `${summary.bySeverity[severity]} ${severity}`)
    .join(', ');
}

/** An alert as plain JSON: `aicli-ws alerts --json`, the agents' workspace_alerts, the audit trail's values. */
export interface AlertJson {
  workspace: string;
  workspaceId: string;
  containerId: string;
  rule: string;
  type: Alert['type'];
  severity: Alert['severity'];
  policyItem: Alert['policyItem'];
  message: string;
  conditionAt: string;
  detectedAt: string;
  accepted?: boolean;
}

const iso = (ms: number): string => new Date(Math.round(ms)).toISOString();

export function alertJson(alert: Alert): AlertJson {
  return {
    workspace: alert.workspace.name,
    workspaceId: alert.workspace.id,
    containerId: alert.workspace.containerId,
    rule: alert.rule,
    type: alert.type,
    severity: alert.severity,
    policyItem: alert.policyItem,
    message: alert.message,
    conditionAt: iso(alert.conditionAt),
    detectedAt: iso(alert.detectedAt),
    ...(alert.accepted ? { accepted: true } : {}),
  };
}
