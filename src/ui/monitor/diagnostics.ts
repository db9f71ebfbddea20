import * as vscode from 'vscode';
import { Alert, AlertSeverity } from '../../monitor/alerts';
import { SecurityMonitor } from '../../monitor/monitor';
import { policyLineOf, policyUri } from './policyDocument';

const severities: Record<AlertSeverity, vscode.DiagnosticSeverity> = {
  critical: vscode.DiagnosticSeverity.Error,
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function diagnosticFor(alert: Alert): vscode.Diagnostic {
  const line = policyLineOf(alert.policyItem);
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(line, 0, line, 200),
    `${alert.severity === 'critical' ? 'CRITICAL: ' : ''}${alert.message}`,
    severities[alert.severity],
  );
  diagnostic.source = 'AICLI';
  diagnostic.code = alert.type;
  return diagnostic;
}

/**
 * Alerts as diagnostics on each workspace's policy document, in a collection named "aicli":
 * raised and updated alerts replace the workspace's set, cleared ones disappear.
 */
export class AlertDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('aicli');
  private readonly subscription: { dispose(): void };
  /** When each alert first became a diagnostic, for latency measurements. */
  readonly shownAt = new Map<string, number>();

  constructor(private readonly monitor: SecurityMonitor) {
    this.subscription = monitor.alerts.onDidChange(({ alert }) => this.render(alert));
  }

  private render(changed: Alert): void {
    const alerts = this.monitor.alerts.list((alert) => alert.workspace.containerId === changed.workspace.containerId);
    this.collection.set(policyUri(changed.workspace), alerts.map(diagnosticFor));
    for (const alert of alerts) if (!this.shownAt.has(alert.key)) this.shownAt.set(alert.key, Date.now());
    for (const key of this.shownAt.keys()) if (!this.monitor.alerts.get(key)) this.shownAt.delete(key);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
