import * as vscode from 'vscode';
import { frozenRule } from '../../monitor/frozen';
import { SecurityMonitor } from '../../monitor/monitor';
import { policyUri } from './policyDocument';
import { offerUnfreeze } from './quickFixes';

/**
 * Security breaches and critical alerts become notifications with the actions that answer
 * them; what the monitor did on its own (`onBreach: pause|stop`) is said and logged.
 */
export function notifyBreaches(monitor: SecurityMonitor, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    monitor.alerts.onDidChange(({ kind, alert }) => {
      if (kind !== 'raised' || alert.rule !== frozenRule) return;
      log.error(`${alert.workspace.name}: ${alert.message}`);
      offerUnfreeze(`AICLI ${alert.workspace.name}: ${alert.message}`, alert.workspace.containerId);
    }),
    monitor.alerts.onDidChange(({ kind, alert }) => {
      if (kind !== 'raised' || (alert.type !== 'security_breach' && alert.severity !== 'critical')) return;
      log.warn(`alert ${alert.type}/${alert.severity} on ${alert.workspace.name}: ${alert.message}`);
      void vscode.window.showErrorMessage(`AICLI ${alert.workspace.name}: ${alert.message}`, 'Show Policy', 'Pause', 'Stop').then(async (picked) => {
        if (picked === 'Show Policy') await vscode.window.showTextDocument(policyUri(alert.workspace));
        if (picked === 'Pause') await vscode.commands.executeCommand('aicli.monitor.pause', alert.workspace.containerId);
        if (picked === 'Stop') await vscode.commands.executeCommand('aicli.monitor.stop', alert.workspace.containerId);
      });
    }),
    monitor.onDidRespond((record) => {
      const what = `${record.action === 'pause' ? 'Paused' : 'Stopped'} workspace ${record.alert.workspace.name} (aicli.monitor.onBreach)`;
      if (record.ok) void vscode.window.showWarningMessage(`${what} after: ${record.alert.message}`);
      else void vscode.window.showErrorMessage(`Could not apply aicli.monitor.onBreach to ${record.alert.workspace.name}: ${record.error}`);
    }),
  ];
}
