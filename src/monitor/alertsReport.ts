import { Engine } from '../engine/engine';
import { alertJson, AlertJson, AlertSummary, formatSummary } from './alerts';

export { alertJson, type AlertJson } from './alerts';
import { SecurityMonitor } from './monitor';
import { table } from './reportTable';
import { defaultMonitorSettings, MonitorSettings } from './settings';

export interface AlertsReport {
  host: string;
  summary: AlertSummary;
  alerts: AlertJson[];
}

/**
 * A snapshot for `aicli-ws alerts`: runs the monitor until every workspace is audited, then
 * lets the stats streams run for `settleMs` (thresholds need two samples, about 2 s) and
 * reports what is current. A snapshot never pauses or stops anything, and execs into
 * workspaces (process checks) only when asked: another client may be pausing one of them,
 * and an exec racing a pause hangs the engine on that container (see SecurityMonitor.respond).
 */
export async function collectAlerts(
  engine: Engine,
  settleMs: number,
  options: { processChecks?: boolean; settings?: MonitorSettings } = {},
): Promise<AlertsReport> {
  const connection = await engine.connection();
  const settings = { ...(options.settings ?? defaultMonitorSettings), onBreach: 'notify' as const, processChecks: options.processChecks ?? false };
  const monitor = new SecurityMonitor(engine, { settings: () => settings, log: connection.log });
  try {
    await monitor.ready();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { host: connection.host, summary: monitor.alerts.summary(), alerts: monitor.alerts.list().map(alertJson) };
  } finally {
    monitor.dispose();
  }
}

export function formatAlertsReport(report: AlertsReport): string {
  const byType = Object.entries(report.summary.byType)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');
  const summary = `${report.summary.total} alert${report.summary.total === 1 ? '' : 's'} on ${report.host}: ${formatSummary(report.summary)}${byType ? ` (${byType})` : ''}`;
  if (report.alerts.length === 0) return summary;
  const rows = report.alerts.map((alert) => [alert.severity, alert.type, alert.workspace, alert.policyItem, alert.message]);
  return `${table(['SEVERITY', 'TYPE', 'WORKSPACE', 'POLICY', 'MESSAGE'], rows)}\n\n${summary}`;
}
