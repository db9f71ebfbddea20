import { Duplex } from 'node:stream';
import { EngineConnection } from './connection';
import { FrameDemuxer } from './demux';
import { toEngineError } from './errors';

export interface CaptureExecOptions {
  cmd: string[];
  /** Empty or undefined: the container's own user. */
  user?: string;
  env?: string[];
  workingDir?: string;
  /** Written to the command's stdin, which is then closed (a file's content for `cat > file`). */
  input?: Buffer;
}

export interface CapturedExec {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A short helper command in a container by id (shell lookup, ending a session), with its
 * output held in memory: only for commands whose output is a few lines. Workspace commands
 * whose output streams to the user go through WorkspaceService.exec.
 */
export async function captureExec(connection: EngineConnection, containerId: string, options: CaptureExecOptions): Promise<CapturedExec> {
  try {
    const exec = await connection.docker.getContainer(containerId).exec({
      Cmd: options.cmd,
      User: options.user || undefined,
      Env: options.env,
      WorkingDir: options.workingDir,
      AttachStdin: options.input !== undefined,
      AttachStdout: true,
      AttachStderr: true,
    });
    // Untimed: the request timeout would cut a helper that legitimately waits (ending a session).
    const stream = (await connection.untimed.getExec(exec.id).start({ hijack: true, stdin: options.input !== undefined })) as Duplex;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const demuxer = new FrameDemuxer((kind, payload) => (kind === 'stderr' ? err : out).push(payload));
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
      // Half-closing our side is the end of input the command reads (the engine closes its stdin).
      if (options.input !== undefined) stream.end(options.input);
    });
    const info = await exec.inspect();
    return { code: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  } catch (err) {
    throw toEngineError(err, connection.host);
  }
}
