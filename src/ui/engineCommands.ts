import * as vscode from 'vscode';
import { defaultEngineName } from '../engine/engines';
import { engineInfoUri } from './engineInfoDocument';
import { CommandRun, registerCommand } from './commands/kernel';
import { UiEngineScope, UiEngineScopes } from './scopes';
import { TreeNode } from './tree/nodes';

/**
 * What Retry is given: the engine's name (a click on its error row), the row's node (the
 * inline action), or nothing (the palette).
 */
type RetryTarget = string | TreeNode | undefined;

/** The name of the engine a Retry is for; undefined from the palette, '' from a row of no engine. */
function engineNameOf(target: RetryTarget): string | undefined {
  if (typeof target === 'string' || target === undefined) return target;
  if (target.kind === 'engine') return target.engineName ?? defaultEngineName;
  return target.kind === 'engineGroup' ? target.name : '';
}

/**
 * The engines a Retry is for, found by name: never another engine in its place. From the
 * palette it is every engine, as retryNow() leaves the connected ones alone.
 */
function scopesToRetry(scopes: UiEngineScopes, name: string | undefined): UiEngineScope[] {
  return name === undefined ? scopes.all : scopes.all.filter((scope) => scope.name === name);
}

export function registerEngineCommands(scopes: UiEngineScopes, log: vscode.LogOutputChannel, refresh: () => void): vscode.Disposable[] {
  return [
    // The engine info document is the default engine's (the flat view's connected row).
    registerCommand(log, 'aicli.showEngineInfo', 'Show engine info', async (run: CommandRun) => {
      await run.on(scopes.byName(defaultEngineName)).connection();
      const document = await vscode.workspace.openTextDocument(engineInfoUri);
      await vscode.window.showTextDocument(document, { preview: true });
    }),
    registerCommand(log, 'aicli.retryConnection', 'Retry', (_run: CommandRun, target?: RetryTarget) => {
      const name = engineNameOf(target);
      const retried = scopesToRetry(scopes, name);
      if (retried.length === 0) log.warn(`Retry: there is no engine named "${name}" (any more)`);
      retried.forEach((scope) => scope.engine.retryNow());
    }),
    registerCommand(log, 'aicli.refresh', 'Refresh', () => refresh()),
    registerCommand(log, 'aicli.showLog', 'Show log', () => log.show(true)),
    registerCommand(log, 'aicli.openSettings', 'Open settings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', '@ext:aicli.aicli-workspaces'),
    ),
  ];
}
