import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { compareApiVersions, EngineConnection } from './connection';
import { EngineError, toEngineError } from './errors';
import type { ExecBackend, SessionEndReason, SessionExit, SessionWatch, TerminalSize } from './interactiveExec';
import { endMarkedProcesses, newSessionMarker } from './sessionMarker';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface InteractiveExecOptions extends TerminalSize {
  cmd: string[];
  /** Empty or undefined: the container's own user. */
  user?: string;
  env?: Record<string, string>;
  workingDir?: string;
  /** Pass Engine.onEvent so a stopped or removed container ends the session promptly. */
  onEvent?: SessionWatch['onEvent'];
}

/** The real engine behind a session: exec create/start/resize/inspect through dockerode. */
export class DockerExecBackend implements ExecBackend {
  private exec: Docker.Exec | undefined;
  private readonly marker = newSessionMarker();

  constructor(
    private readonly connection: EngineConnection,
    private readonly containerId: string,
    private readonly options: InteractiveExecOptions,
  ) {}

  async start(): Promise<Duplex> {
    const { connection, options } = this;
    try {
      this.exec = await connection.docker.getContainer(this.containerId).exec({
        Cmd: options.cmd,
        User: options.user || undefined,
        Env: [...Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`), this.marker],
        WorkingDir: options.workingDir ?? '/workspace',
        Tty: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        // API 1.42+ (Docker 23+) starts the TTY at this size; older engines need the resize after start.
        ConsoleSize: compareApiVersions(connection.apiVersion, '1.42') >= 0 ? [options.rows, options.cols] : undefined,
      });
      // Untimed: the request timeout would cut an idle session.
      const stream = await connection.untimed.getExec(this.exec.id).start({ hijack: true, stdin: true, Tty: true });
      if (stream instanceof Socket) {
        stream.setNoDelay(true); // keystrokes go out at once over tcp
        stream.setKeepAlive(true, 15_000); // a vanished remote engine ends the stream instead of hanging
      }
      return stream;
    } catch (err) {
      throw toEngineError(err, connection.host);
    }
  }

  async resize(size: TerminalSize): Promise<void> {
    await this.exec?.resize({ h: size.rows, w: size.cols });
  }

  async outcome(): Promise<SessionExit> {
    const exec = this.exec;
    if (!exec) return { code: undefined };
    let info: Docker.ExecInspectInfo;
    try {
      info = await retriedOnReset(() => exec.inspect());
      // The stream can end a moment before the engine records the exit code.
      for (let tries = 0; info.Running && tries < 25; tries++) {
        await delay(20);
        info = await exec.inspect();
      }
    } catch (err) {
      const error = toEngineError(err, this.connection.host);
      if (error.kind !== 'notFound') return { code: undefined, reason: engineLost(error) };
      return { code: undefined, reason: (await this.containerGone(false)) ?? engineLost(error) };
    }
    const code = info.ExitCode ?? undefined;
    // 137 (SIGKILL) is what a stop or removal does to exec processes; the container's state may lag.
    const gone = await this.containerGone(code === 137).catch((err: unknown) => engineLost(toEngineError(err, this.connection.host)));
    if (gone) return { code, reason: gone };
    if (info.Running) {
      await this.terminate().catch(() => undefined);
      return {
        code: undefined,
        reason: { kind: 'engineLost', message: 'the connection to the Docker engine closed while the shell was running; the shell was ended' },
      };
    }
    return { code };
  }

  async terminate(): Promise<void> {
    await endMarkedProcesses(this.connection, this.containerId, this.marker, this.options.user, 'HUP');
  }

  private async containerGone(waitForStop: boolean): Promise<SessionEndReason | undefined> {
    const deadline = Date.now() + (waitForStop ? 1000 : 0);
    for (;;) {
      let state: Docker.ContainerInspectInfo['State'];
      try {
        state = (await this.connection.docker.getContainer(this.containerId).inspect()).State;
      } catch (err) {
        const error = toEngineError(err, this.connection.host);
        if (error.kind === 'notFound') return { kind: 'workspaceRemoved', message: 'the container was removed' };
        throw error;
      }
      if (state.Status === 'removing') return { kind: 'workspaceRemoved', message: 'the container was removed' };
      if (!state.Running || state.Restarting) {
        const how = state.Status === 'exited' ? `exited with code ${state.ExitCode}` : `is ${state.Status}`;
        return { kind: 'workspaceStopped', message: `the container ${how}${state.OOMKilled ? ' (out of memory)' : ''}` };
      }
      if (Date.now() >= deadline) return undefined;
      await delay(50);
    }
  }
}

/**
 * When the engine vanished, the first call after the stream ended may go out on a pooled
 * connection that is already dead (EPIPE, ECONNRESET); the retry then says what happened.
 */
async function retriedOnReset<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'EPIPE' && code !== 'ECONNRESET') throw err;
    await delay(100);
    return call();
  }
}

function engineLost(error: EngineError): SessionEndReason {
  return { kind: 'engineLost', message: error.message };
}
