import * as vscode from 'vscode';
import { Engine } from '../../engine/engine';
import { CancelledError } from '../../engine/errors';
import { showFailure } from '../notify';
import { CommandId } from './ids';

/**
 * One run of a command. The command says which engine it works on (`on(scope)`) as soon as
 * it knows, so a failure's Retry reconnects that engine and no other.
 */
export class CommandRun {
  private engineValue: Engine | undefined;

  on<S extends { engine: Engine }>(scope: S): S {
    this.engineValue = scope.engine;
    return scope;
  }

  get engine(): Engine | undefined {
    return this.engineValue;
  }
}

export type CommandHandler<A extends unknown[]> = (run: CommandRun, ...args: A) => unknown;

/**
 * Registers every command of the extension (lint forbids vscode.commands.registerCommand
 * elsewhere): a failure is shown once, with the actions that fix it and Retry on the engine
 * the command worked on; a cancelled command (CancelledError, the one cancellation type) ends
 * quietly.
 */
export function registerCommand<A extends unknown[]>(
  log: vscode.LogOutputChannel,
  id: CommandId,
  doing: string,
  handler: CommandHandler<A>,
): vscode.Disposable {
  // eslint-disable-next-line no-restricted-syntax -- the one place commands are registered
  return vscode.commands.registerCommand(id, async (...args: A) => {
    const run = new CommandRun();
    try {
      return await handler(run, ...args);
    } catch (err) {
      if (err instanceof CancelledError) return undefined;
      await showFailure(err, { engine: run.engine, log, doing });
      return undefined;
    }
  });
}
