import { EngineConnection } from '../engine/connection';
import { FrameDemuxer } from '../engine/demux';
import { CancelledError, toEngineError } from '../engine/errors';
import { createExec, inspectExec, startExec } from '../engine/execs';
import { endMarkedProcesses, newSessionMarker } from '../engine/sessionMarker';
import { Workspace } from '../workspace/model';

export interface BoxExecRequest {
  /** Run by `sh -c` in the box, as the box's own user. */
  command: string;
  /** Absolute, inside /workspace (see boxPath). */
  cwd: string;
  timeoutMs: number;
  /** Bytes kept of stdout, and of stderr; the rest is counted, not kept. */
  capBytes: number;
  signal?: AbortSignal;
}

export interface BoxExecResult {
  /** Undefined when the command was killed at its timeout. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Bytes not kept beyond the cap, per stream. */
  droppedStdout: number;
  droppedStderr: number;
  timedOut: boolean;
  durationMs: number;
}

/** Keeps the first `cap` bytes of a stream and counts the rest. */
class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  constructor(private readonly cap: number) {}

  push(payload: Buffer): void {
    const room = Math.max(0, this.cap - this.kept);
    if (room > 0) this.chunks.push(payload.subarray(0, room));
    this.kept += Math.min(room, payload.length);
    this.dropped += Math.max(0, payload.length - room);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * One command of an agent, with its output capped and its time bounded. The engine cannot end
 * an exec, so the command carries a session marker and, at its timeout or on cancellation,
 * every process carrying it is killed in the box (SIGKILL: nothing it started may outlive it).
 */
export async function boxExec(connection: EngineConnection, workspace: Workspace, request: BoxExecRequest): Promise<BoxExecResult> {
  const marker = newSessionMarker();
  const started = Date.now();
  const stdout = new CappedBuffer(request.capBytes);
  const stderr = new CappedBuffer(request.capBytes);
  let timedOut = false;
  try {
    const exec = await createExec(connection, workspace.containerId, {
      Cmd: ['sh', '-c', request.command],
      Env: [marker],
      AttachStdout: true,
      AttachStderr: true,
      WorkingDir: request.cwd,
    });
    const stream = await startExec(connection, exec, { stdin: false });
    const demuxer = new FrameDemuxer((kind, payload) => (kind === 'stderr' ? stderr : stdout).push(payload));
    const kill = (): Promise<void> => endMarkedProcesses(connection, workspace.containerId, marker, undefined, 'KILL');
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    });
    let stopTimer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (stopTimer = setTimeout(() => resolve('timeout'), request.timeoutMs)));
    const cancelled = new Promise<'cancelled'>((resolve) => {
      if (request.signal?.aborted) resolve('cancelled');
      request.signal?.addEventListener('abort', () => resolve('cancelled'), { once: true });
    });
    const outcome = await Promise.race([ended.then(() => 'ended' as const), timeout, cancelled]);
    clearTimeout(stopTimer);
    if (outcome !== 'ended') {
      timedOut = outcome === 'timeout';
      await kill();
      // The stream ends once the killed processes are gone; do not wait on one that lingers.
      await Promise.race([ended.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))]);
      stream.destroy();
      if (outcome === 'cancelled') throw new CancelledError('The command was cancelled; it and everything it started were killed in the box.');
    }
    const exitCode = timedOut ? undefined : ((await inspectExec(connection, exec)).ExitCode ?? undefined);
    return {
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      droppedStdout: stdout.dropped,
      droppedStderr: stderr.dropped,
      timedOut,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    throw err instanceof CancelledError ? err : toEngineError(err, connection.host);
  }
}
