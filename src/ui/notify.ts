import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { EngineError, InputError } from '../engine/errors';

/** Which setting to open for an input error about a field, so "Open Settings" lands on it. */
const settingForField: Record<string, string> = {
  publish: 'aicli.network',
  memory: 'aicli.resources',
  cpus: 'aicli.resources',
  pidsLimit: 'aicli.resources',
  blkioWeight: 'aicli.resources',
  ioReadBps: 'aicli.resources.ioReadBps',
  ioWriteBps: 'aicli.resources.ioWriteBps',
  ioReadIops: 'aicli.resources.ioReadIops',
  ioWriteIops: 'aicli.resources.ioWriteIops',
  runtime: 'aicli.isolation.runtime',
  disk: 'aicli.resources.disk',
  requireUserNamespace: 'aicli.isolation.requireUserNamespace',
  projectMount: 'aicli.workspace.projectMount',
  image: 'aicli.workspace.defaultImage',
  level: 'aicli.isolation.level',
};

export interface FailureContext {
  /**
   * The engine the failed work was on (its workspace's scope): Retry reconnects this engine,
   * so another one here would leave the failed one waiting. Unknown: no Retry is offered.
   */
  engine: Engine | undefined;
  log: vscode.LogOutputChannel;
  doing: string;
}

/**
 * Every failure the user sees goes through here: the message says what went wrong and the
 * buttons are the actions that fix it. Nothing is shown as a stack trace.
 */
export async function showFailure(err: unknown, context: FailureContext): Promise<void> {
  if (err instanceof InputError) {
    const setting = settingForField[err.field];
    const picked = await vscode.window.showErrorMessage(err.message, ...(setting ? ['Open Settings'] : []));
    if (picked) await vscode.commands.executeCommand('workbench.action.openSettings', setting);
    return;
  }
  const error = err instanceof EngineError ? err : undefined;
  if (!error) {
    context.log.error(`${context.doing} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const picked = await vscode.window.showErrorMessage(`${context.doing} failed: ${err instanceof Error ? err.message : String(err)}`, 'Show Log');
    if (picked) context.log.show(true);
    return;
  }
  context.log.error(`${context.doing} failed: ${error.message}`);
  const actions = error.actions.filter((action) => action.id !== 'retry' || context.engine);
  const picked = await vscode.window.showErrorMessage(error.userMessage, ...actions.map((action) => action.label));
  const action = actions.find((candidate) => candidate.label === picked);
  if (action?.id === 'retry') context.engine?.retryNow();
  if (action?.id === 'openSettings') await vscode.commands.executeCommand('aicli.openSettings');
  if (action?.id === 'showLog') context.log.show(true);
}
