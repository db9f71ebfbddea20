import * as vscode from 'vscode';
import { describeStop, describeWarning } from '../../workspace/lifetimes/describe';
import { WorkspaceLifetimes } from '../../workspace/lifetimes/lifetimes';

const keepRunning = 'Keep Running';
const stopNow = 'Stop Now';

/**
 * The lifetimes' notices in this window: before a stop, a warning with Keep Running (postpones
 * it by the whole limit, recorded) and Stop Now; after it, what was stopped and why. A notice
 * answered after it no longer holds (the workspace was used again, or is stopped already) does
 * nothing but say so in the log.
 */
export function showLifetimeNotices(lifetimes: WorkspaceLifetimes, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    lifetimes.onWarning((warning) => {
      const message = describeWarning(warning, Date.now());
      log.info(`lifetimes: ${message}`);
      void vscode.window.showWarningMessage(message, keepRunning, stopNow).then(async (picked) => {
        const id = warning.workspace.containerId;
        if (picked === keepRunning && !lifetimes.keep(id))
          log.info(`lifetimes: ${warning.workspace.name}: Keep Running came after the notice ended; nothing to keep`);
        if (picked === stopNow) await lifetimes.stopNow(id);
      });
    }),
    lifetimes.onWithdrawn(({ warning, reason }) => {
      if (reason === 'active') vscode.window.setStatusBarMessage(`AICLI: ${warning.workspace.name} is in use again; it keeps running`, 10_000);
      log.info(`lifetimes: the ${warning.rule} notice of ${warning.workspace.name} no longer holds (${reason})`);
    }),
    lifetimes.onStopped(({ warning, by, error }) => {
      if (error) {
        void vscode.window.showErrorMessage(`Could not stop workspace ${warning.workspace.name} (aicli.lifetime.${warning.rule}): ${error}`);
      } else if (by === 'lifetime') {
        void vscode.window.showInformationMessage(describeStop(warning), 'Open Settings').then((picked) => {
          if (picked) void vscode.commands.executeCommand('workbench.action.openSettings', 'aicli.lifetime');
        });
      }
    }),
  ];
}
