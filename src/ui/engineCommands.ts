import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { engineInfoUri } from './engineInfoDocument';
import { showFailure } from './notify';

export function registerEngineCommands(engine: Engine, log: vscode.LogOutputChannel, refresh: () => void): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('aicli.showEngineInfo', async () => {
      try {
        await engine.connection();
      } catch (err) {
        await showFailure(err, { engine, log, doing: 'Show engine info' });
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
