import * as vscode from 'vscode';
import { formatAlertCounts, formatRecentCounts, SecuritySummary, WorkspaceSecurity } from '../../audit/securitySummary';
import { localTime } from '../../audit/table';
import { Alert, AlertSeverity, alertSeverities, AlertType, alertTypes, formatSummary } from '../../monitor/alerts';
import { AuditView } from '../audit/auditDocument';
import { policyLineOf, policyUri } from '../monitor/policyDocument';

/** Now: the monitors' current alerts; recent: the audit trail's last 24 h. */
export type Period = 'now' | 'recent';

export type RecentKind = 'alerts' | 'responses' | 'egress';

/** A current alert and the engine whose monitor holds it. */
export interface EngineAlert {
  engine: string;
  alert: Alert;
}

/** What each row of the Security view is; TreeItems are built from these on demand. */
export type SecurityNode =
  | { kind: 'period'; period: Period }
  | { kind: 'breakdown'; period: Period; by: 'severity' | 'type' }
  | { kind: 'count'; period: Period; by: 'severity' | 'type'; value: AlertSeverity | AlertType; count: number }
  | { kind: 'securityWorkspace'; period: Period; entry: WorkspaceSecurity }
  | { kind: 'alert'; parentId: string; current: EngineAlert; showWorkspace: boolean }
  | { kind: 'recentCount'; entry: WorkspaceSecurity; what: RecentKind; count: number }
  | { kind: 'note'; period: Period; text: string };

/** The two roots, one object each: a change is fired with the root it concerns. */
export const periodNodes: Record<Period, SecurityNode & { kind: 'period' }> = {
  now: { kind: 'period', period: 'now' },
  recent: { kind: 'period', period: 'recent' },
};

const recentKinds: { what: RecentKind; label: string; type: string; count: (entry: WorkspaceSecurity) => number }[] = [
  { what: 'alerts', label: 'Alerts raised', type: 'alert.raised', count: (entry) => entry.recent.alerts.total },
  { what: 'responses', label: 'Breach responses', type: 'breach.response', count: (entry) => entry.recent.breachResponses },
  { what: 'egress', label: 'Egress attempts blocked', type: 'egress.blocked', count: (entry) => entry.recent.egressBlocked },
];

export const entryId = (entry: WorkspaceSecurity): string => `${entry.engine}/${entry.workspace.id ?? entry.workspace.name}`;

const entryName = (entry: WorkspaceSecurity): string => (entry.engine === 'default' ? entry.workspace.name : `${entry.workspace.name} (${entry.engine})`);

export function currentOf(current: readonly EngineAlert[], entry: WorkspaceSecurity): EngineAlert[] {
  const same = (alert: Alert): boolean =>
    entry.workspace.id !== undefined ? alert.workspace.id === entry.workspace.id : alert.workspace.name === entry.workspace.name;
  return current.filter(({ engine, alert }) => engine === entry.engine && same(alert));
}

/** The children of a node, from the summary and the current alerts it was computed from. */
export function childrenOf(node: SecurityNode, summary: SecuritySummary, current: readonly EngineAlert[]): SecurityNode[] {
  switch (node.kind) {
    case 'period': {
      const { period } = node;
      const workspaces = summary.workspaces.filter((entry) => (period === 'now' ? entry.now.total > 0 : recentKinds.some((kind) => kind.count(entry) > 0)));
      if (workspaces.length === 0) return [{ kind: 'note', period, text: period === 'now' ? 'No alerts now' : 'Nothing recorded in the last 24 hours' }];
      return [
        { kind: 'breakdown', period, by: 'severity' },
        { kind: 'breakdown', period, by: 'type' },
        ...workspaces.map((entry): SecurityNode => ({ kind: 'securityWorkspace', period, entry })),
      ];
    }
    case 'breakdown': {
      const counts = node.period === 'now' ? summary.now : summary.recent.alerts;
      const values = node.by === 'severity' ? [...alertSeverities].reverse() : alertTypes;
      const countOf = (value: AlertSeverity | AlertType): number =>
        node.by === 'severity' ? counts.bySeverity[value as AlertSeverity] : counts.byType[value as AlertType];
      return values.map((value): SecurityNode => ({ kind: 'count', period: node.period, by: node.by, value, count: countOf(value) }));
    }
    case 'count': {
      if (node.period === 'recent') return [];
      const parentId = idOf(node);
      const matching = current.filter(({ alert }) => (node.by === 'severity' ? alert.severity : alert.type) === node.value);
      return matching.map((entry): SecurityNode => ({ kind: 'alert', parentId, current: entry, showWorkspace: true }));
    }
    case 'securityWorkspace': {
      if (node.period === 'now') {
        const parentId = idOf(node);
        return currentOf(current, node.entry).map((entry): SecurityNode => ({ kind: 'alert', parentId, current: entry, showWorkspace: false }));
      }
      return recentKinds
        .filter((kind) => kind.count(node.entry) > 0)
        .map((kind) => ({ kind: 'recentCount', entry: node.entry, what: kind.what, count: kind.count(node.entry) }));
    }
    default:
      return [];
  }
}

export function idOf(node: SecurityNode): string {
  switch (node.kind) {
    case 'period':
      return node.period;
    case 'breakdown':
      return `${node.period}/${node.by}`;
    case 'count':
      return `${node.period}/${node.by}/${node.value}`;
    case 'securityWorkspace':
      return `${node.period}/workspace/${entryId(node.entry)}`;
    case 'alert':
      return `${node.parentId}/alert/${node.current.engine}/${node.current.alert.key}`;
    case 'recentCount':
      return `recent/workspace/${entryId(node.entry)}/${node.what}`;
    case 'note':
      return `${node.period}/note`;
  }
}

const severityIcons: Record<AlertSeverity, vscode.ThemeIcon> = {
  critical: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground')),
  info: new vscode.ThemeIcon('info'),
};

/** Opens the audit entries behind a count: the Show Audit Trail document of that view. */
const openAudit = (title: string, view: AuditView): vscode.Command => ({ title, command: 'aicli.showAuditTrail', arguments: [view] });

function alertItem(node: SecurityNode & { kind: 'alert' }): vscode.TreeItem {
  const { alert } = node.current;
  const item = new vscode.TreeItem(node.showWorkspace ? `${alert.workspace.name}: ${alert.message}` : alert.message);
  item.description = `${alert.severity} · ${alert.policyItem}`;
  item.tooltip = `${alert.message}\n${alert.severity} ${alert.type} (${alert.rule}), since ${localTime(new Date(alert.detectedAt).toISOString())}\nClick: its line in the policy document, with the quick fixes.`;
  item.iconPath = severityIcons[alert.severity];
  item.contextValue = 'securityAlert';
  const line = policyLineOf(alert.policyItem);
  // The diagnostic sits on this line: the editor shows it with its quick fixes.
  item.command = {
    title: 'Open the policy line',
    command: 'vscode.open',
    arguments: [policyUri(alert.workspace), { selection: new vscode.Range(line, 0, line, 0), preview: true }],
  };
  return item;
}

function countItem(node: SecurityNode & { kind: 'count' }, summary: SecuritySummary, hasAlerts: boolean): vscode.TreeItem {
  const collapsible = node.period === 'now' && hasAlerts ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(node.value, collapsible);
  item.description = String(node.count);
  item.iconPath = node.by === 'severity' ? severityIcons[node.value as AlertSeverity] : new vscode.ThemeIcon('symbol-enum');
  if (node.period === 'recent' && node.count > 0) {
    const filter = node.by === 'severity' ? { severity: node.value } : { alertType: node.value };
    item.command = openAudit('Show the alerts raised', { types: ['alert.raised'], sinceMs: Date.parse(summary.since), ...filter });
  }
  return item;
}

function workspaceItem(node: SecurityNode & { kind: 'securityWorkspace' }, summary: SecuritySummary): vscode.TreeItem {
  const { entry } = node;
  // Open at first, like a dashboard; the ids keep what the user folds folded across redraws.
  const item = new vscode.TreeItem(entryName(entry), vscode.TreeItemCollapsibleState.Expanded);
  item.description = node.period === 'now' ? formatSummary(entry.now) : formatRecentCounts(entry.recent);
  item.tooltip = node.period === 'now' ? formatAlertCounts(entry.now) : `${formatRecentCounts(entry.recent)} since ${localTime(summary.since)}`;
  item.iconPath = new vscode.ThemeIcon('vm');
  item.contextValue = 'securityWorkspace';
  return item;
}

function recentCountItem(node: SecurityNode & { kind: 'recentCount' }, summary: SecuritySummary): vscode.TreeItem {
  const kind = recentKinds.find((entry) => entry.what === node.what)!;
  const item = new vscode.TreeItem(kind.label);
  item.description = String(node.count);
  item.iconPath = new vscode.ThemeIcon(node.what === 'egress' ? 'circle-slash' : node.what === 'responses' ? 'debug-pause' : 'bell');
  const { workspace, engine } = node.entry;
  item.command = openAudit(`Show the ${kind.type} records`, {
    workspace: workspace.id ?? workspace.name,
    name: workspace.name,
    engine,
    types: [kind.type],
    sinceMs: Date.parse(summary.since),
  });
  return item;
}

/** A node as a row; `hasChildren` says whether a row of current alerts has any to expand. */
export function securityItem(node: SecurityNode, summary: SecuritySummary, hasChildren: boolean): vscode.TreeItem {
  const item = itemOf(node, summary, hasChildren);
  item.id = idOf(node);
  // Read as "Now: 2 alerts · 1 warning": the count is in the description, which a screen reader would skip.
  if (item.description) item.accessibilityInformation = { label: `${String(item.label)}: ${String(item.description)}` };
  return item;
}

function itemOf(node: SecurityNode, summary: SecuritySummary, hasChildren: boolean): vscode.TreeItem {
  const expanded = vscode.TreeItemCollapsibleState.Expanded;
  switch (node.kind) {
    case 'period': {
      const now = node.period === 'now';
      const item = new vscode.TreeItem(now ? 'Now' : 'Last 24 hours', expanded);
      item.description = now ? `${summary.now.total} alert${summary.now.total === 1 ? '' : 's'}` : formatRecentCounts(summary.recent);
      if (now && summary.now.total) item.description += ` · ${formatSummary(summary.now)}`;
      item.tooltip = now ? 'The monitors’ current alerts' : `From the audit trail since ${localTime(summary.since)}`;
      item.iconPath = new vscode.ThemeIcon(now ? 'shield' : 'history');
      return item;
    }
    case 'breakdown': {
      const counts = node.period === 'now' ? summary.now : summary.recent.alerts;
      const item = new vscode.TreeItem(node.by === 'severity' ? 'By severity' : 'By type', vscode.TreeItemCollapsibleState.Collapsed);
      const types = alertTypes.filter((type) => counts.byType[type] > 0).map((type) => `${counts.byType[type]} ${type}`);
      item.description = node.by === 'severity' ? formatSummary(counts) : types.join(', ') || 'none';
      return item;
    }
    case 'count':
      return countItem(node, summary, hasChildren);
    case 'securityWorkspace':
      return workspaceItem(node, summary);
    case 'alert':
      return alertItem(node);
    case 'recentCount':
      return recentCountItem(node, summary);
    case 'note':
      return new vscode.TreeItem(node.text);
  }
}
