import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { engineInfoUri } from './engineInfoDocument';

/** Shows an engine failure with buttons for the actions it carries. */
export async function showEngineError(error: EngineError, log: vscode.LogOutputChannel, engine: Engine): Promise<void> {
  const labels = error.actions.map((action) => action.label);
  const picked = await vscode.window.showErrorMessage(error.userMessage, ...labels);
  const action = error.actions.find((candidate) => candidate.label === picked);
  if (action?.id === 'retry') engine.retryNow();
  if (action?.id === 'openSettings') await vscode.commands.executeCommand('aicli.openSettings');
  if (action?.id === 'showLog') log.show(true);
}

export function registerEngineCommands(engine: Engine, log: vscode.LogOutputChannel, refresh: () => void): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('aicli.showEngineInfo', async () => {
      try {
        await engine.connection();
      } catch (err) {
        await showEngineError(err as EngineError, log, engine);
        return;
      }
      const document = await vscode.workspace.openTextDocument(engineInfoUri);
      await vscode.window.showTextDocument(document, { preview: true });
    }),
    vscode.commands.registerCommand('aicli.retryConnection', () => engine.retryNow()),
    vscode.commands.registerCommand('aicli.refresh', () => refresh()),
    vscode.commands.registerCommand('aicli.showLog', () => log.show(true)),
    vscode.commands.registerCommand('aicli.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', '@ext:aicli.aicli-workspaces'),
    ),
  ];
}
