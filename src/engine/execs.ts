import { Duplex } from 'node:stream';
import { EngineConnection } from './connection';
import type { ExecCreateOptions, ExecInspectInfo } from './types';

/**
 * Execs: created on the timed client (a quick write), started untimed (the stream lasts as long
 * as the command), inspected for the exit code. The started stream is hijacked: multiplexed
 * frames unless the exec has a TTY (demux.ts splits them).
 */

export async function createExec(connection: EngineConnection, containerRef: string, options: ExecCreateOptions, what = 'exec create'): Promise<string> {
  const exec = await connection.call(what, (docker) => docker.getContainer(containerRef).exec(options));
  return exec.id;
}

/**
 * Opens the exec's stream. Errors come back unmapped, as dockerode raised them. `stdin`: keep
 * the stream writable for the command's input; `tty` must match the create.
 */
export function startExec(connection: EngineConnection, execId: string, options: { stdin: boolean; tty?: boolean }): Promise<Duplex> {
  return connection.untimed.getExec(execId).start({ hijack: true, stdin: options.stdin, ...(options.tty ? { Tty: true } : {}) });
}

export function inspectExec(connection: EngineConnection, execId: string, what = 'exec inspect'): Promise<ExecInspectInfo> {
  return connection.call(what, (docker) => docker.getExec(execId).inspect());
}
