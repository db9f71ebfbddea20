import { StringDecoder } from 'node:string_decoder';
import { EngineConnection } from '../engine/connection';
import { Disposable } from '../engine/emitter';
import { DockerEvent } from '../engine/events';
import { InteractiveExecSession, openInteractiveExec, SessionEndReason, TerminalSize } from '../engine/interactiveExec';

export interface AttachRun {
  connection: EngineConnection;
  containerId: string;
  commands: string[][];
  env: Record<string, string>;
  user: string | undefined;
  size(): TerminalSize;
  write(text: string): void;
  onEvent(listener: (event: DockerEvent) => void): Disposable;
  /** The session input and resizes go to while a command runs (undefined between them). */
  setSession(session: InteractiveExecSession | undefined): void;
  closed(): boolean;
}

const dim = (text: string): string => `\x1b[2m${text}\x1b[0m\r\n`;

/**
 * A devcontainer.json's postAttachCommand in the terminal itself, before its shell: each
 * command's output on screen, typing goes to it, a failure is said and the shell still starts.
 * Returns why the box went away if it did (no shell then).
 */
export async function runAttachCommands(run: AttachRun): Promise<SessionEndReason | undefined> {
  for (const argv of run.commands) {
    if (run.closed()) return undefined;
    run.write(dim(`postAttachCommand: ${argv.join(' ')}`));
    const decoder = new StringDecoder('utf8');
    const session = openInteractiveExec(run.connection, run.containerId, {
      cmd: argv,
      user: run.user,
      env: run.env,
      workingDir: '/workspace',
      ...run.size(),
      onEvent: run.onEvent,
    });
    run.setSession(session);
    session.onData((chunk) => run.write(decoder.write(chunk)));
    const { code, reason } = await new Promise<{ code: number | undefined; reason?: SessionEndReason }>((resolve) =>
      session.onExit((exitCode, endReason) => resolve({ code: exitCode, reason: endReason })),
    );
    run.setSession(undefined);
    const rest = decoder.end();
    if (rest) run.write(rest);
    if (reason && reason.kind !== 'closed') return reason;
    if (code !== 0) run.write(dim(`[postAttachCommand exited with code ${code ?? '?'}; the shell starts anyway]`));
  }
  return undefined;
}
