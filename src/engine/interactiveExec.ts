import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { captureExec } from './captureExec';
import { EngineConnection } from './connection';
import { Disposable, Emitter } from './emitter';
import { EngineError, toEngineError } from './errors';
import { DockerEvent } from './events';
import { endMarkedProcesses, newSessionMarker } from './sessionMarker';

export type SessionState = 'starting' | 'running' | 'exited';

/** Why a session ended other than its process exiting on its own. */
export interface SessionEndReason {
  kind: 'workspaceStopped' | 'workspaceRemoved' | 'engineLost' | 'startFailed' | 'closed';
  /** One sentence for the user, e.g. "the container exited with code 129". */
  message: string;
}

export interface SessionExit {
  /** From exec inspect; undefined when it cannot be known (engine gone, closed by us). */
  code: number | undefined;
  reason?: SessionEndReason;
}

export interface TerminalSize {
  rows: number;
  cols: number;
}

/** The engine side of one session; a fake one drives the state machine in unit tests. */
export interface ExecBackend {
  /** Creates and starts the exec; resolves with its hijacked raw TTY stream. */
  start(): Promise<Duplex>;
  resize(size: TerminalSize): Promise<void>;
  /** After the stream ended: the exit code and, if the workspace or engine went away, why. */
  outcome(): Promise<SessionExit>;
  /** Ends the process if it still runs; the engine itself never does on stream close. */
  terminate(): Promise<void>;
}

export interface SessionWatch {
  containerId: string;
  /** Engine.onEvent: a 'die' or 'destroy' of the container ends the session even if the stream lingers. */
  onEvent?: (listener: (event: DockerEvent) => void) => Disposable;
  /** How long to let the stream end on its own after such an event. */
  graceMs?: number;
}

/**
 * One interactive session: starting → running → exited. Input typed while starting is
 * queued; of the sizes asked for before the exec started only the latest is applied, and
 * resizes never overlap. Bytes are passed through untouched in both directions.
 */
export class InteractiveExecSession implements Disposable {
  private stateValue: SessionState = 'starting';
  private stream: Duplex | undefined;
  private queuedInput: Buffer[] = [];
  /** A lone high surrogate at the end of a string write waits for its other half. */
  private heldSurrogate = '';
  private pendingSize: TerminalSize | undefined;
  private resizing = false;
  private closeRequested = false;
  private streamEnded = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private eventSubscription: Disposable | undefined;
  private exitValue: SessionExit | undefined;
  private readonly dataEmitter = new Emitter<Buffer>();
  private readonly stateEmitter = new Emitter<SessionState>();
  private readonly exitEmitter = new Emitter<SessionExit>();
  private resolveExited: (exit: SessionExit) => void = () => {};

  /** Raw output bytes; UTF-8 sequences may be split across chunks (decode with a StringDecoder). */
  readonly onData = this.dataEmitter.event;
  readonly onDidChangeState = this.stateEmitter.event;
  /** Settles once, when the session has exited. */
  readonly exited: Promise<SessionExit> = new Promise((resolve) => (this.resolveExited = resolve));

  constructor(
    private readonly backend: ExecBackend,
    initialSize: TerminalSize,
    watch?: SessionWatch,
  ) {
    this.pendingSize = checkedSize(initialSize);
    if (watch?.onEvent) {
      this.eventSubscription = watch.onEvent((event) => {
        const gone = event.Type === 'container' && (event.Action === 'die' || event.Action === 'destroy');
        if (gone && event.Actor?.ID === watch.containerId) this.onContainerGone(watch.graceMs ?? 1500);
      });
    }
    void this.begin();
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** Listener gets (code, reason); subscribing after the exit calls it at once. */
  onExit(listener: (code: number | undefined, reason?: SessionEndReason) => void): Disposable {
    if (this.exitValue) {
      const exit = this.exitValue;
      queueMicrotask(() => listener(exit.code, exit.reason));
      return { dispose() {} };
    }
    return this.exitEmitter.event((exit) => listener(exit.code, exit.reason));
  }

  /** Byte-exact for Buffers; strings are UTF-8 encoded, a surrogate pair split across writes is joined. */
  write(data: string | Buffer): void {
    if (this.stateValue === 'exited' || this.closeRequested) return;
    const bytes = typeof data === 'string' ? this.encode(data) : data;
    if (bytes.length === 0) return;
    if (this.stateValue === 'running' && this.stream) this.stream.write(bytes);
    else this.queuedInput.push(Buffer.from(bytes));
  }

  resize(rows: number, cols: number): void {
    const size = checkedSize({ rows, cols });
    if (!size || this.stateValue === 'exited') return;
    this.pendingSize = size;
    if (this.stateValue === 'running') void this.applyPendingSize();
  }

  /** Ends the session: the stream is closed and the process is hung up (killed if it ignores that). */
  async close(): Promise<void> {
    if (this.stateValue !== 'exited' && !this.closeRequested) {
      this.closeRequested = true;
      // While starting, begin() sees the flag once the exec exists and ends it there.
      if (this.stateValue === 'running') this.stream?.destroy();
    }
    await this.exited;
  }

  dispose(): void {
    void this.close();
  }

  private encode(text: string): Buffer {
    let whole = this.heldSurrogate + text;
    this.heldSurrogate = '';
    const last = whole.charCodeAt(whole.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.heldSurrogate = whole.slice(-1);
      whole = whole.slice(0, -1);
    }
    return Buffer.from(whole, 'utf8');
  }

  private async begin(): Promise<void> {
    let stream: Duplex;
    try {
      stream = await this.backend.start();
    } catch (err) {
      this.finish({ code: undefined, reason: { kind: 'startFailed', message: messageOf(err) } });
      return;
    }
    if (this.closeRequested) {
      stream.destroy();
      await this.backend.terminate().catch(() => undefined);
      this.finish({ code: undefined, reason: closedReason });
      return;
    }
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => this.dataEmitter.fire(chunk));
    stream.once('end', () => void this.onStreamEnded());
    stream.once('close', () => void this.onStreamEnded());
    // An 'error' is followed by 'close'; without a listener it would crash the host.
    stream.on('error', () => undefined);
    this.setState('running');
    for (const bytes of this.queuedInput.splice(0)) stream.write(bytes);
    void this.applyPendingSize();
  }

  private async applyPendingSize(): Promise<void> {
    if (this.resizing) return;
    this.resizing = true;
    try {
      while (this.pendingSize && this.stateValue === 'running') {
        const size = this.pendingSize;
        this.pendingSize = undefined;
        // A failed resize (process just exited) is harmless; the stream end reports the exit.
        await this.backend.resize(size).catch(() => undefined);
      }
    } finally {
      this.resizing = false;
    }
  }

  private onContainerGone(graceMs: number): void {
    if (this.streamEnded || this.graceTimer || this.stateValue === 'exited') return;
    this.graceTimer = setTimeout(() => {
      // The engine normally ends the stream itself; this is the guard against a hang.
      if (this.stream && !this.streamEnded) this.stream.destroy();
    }, graceMs);
    this.graceTimer.unref?.();
  }

  private async onStreamEnded(): Promise<void> {
    if (this.streamEnded) return;
    this.streamEnded = true;
    clearTimeout(this.graceTimer);
    if (this.closeRequested) {
      await this.backend.terminate().catch(() => undefined);
      this.finish({ code: undefined, reason: closedReason });
      return;
    }
    const exit = await this.backend.outcome().catch((err: unknown): SessionExit => ({ code: undefined, reason: { kind: 'engineLost', message: messageOf(err) } }));
    this.finish(exit);
  }

  private finish(exit: SessionExit): void {
    if (this.exitValue) return;
    this.exitValue = exit;
    clearTimeout(this.graceTimer);
    this.eventSubscription?.dispose();
    // After a bare 'end' the socket is still open for writing; nothing more goes through it.
    this.stream?.destroy();
    this.queuedInput = [];
    this.setState('exited');
    this.exitEmitter.fire(exit);
    this.resolveExited(exit);
    this.dataEmitter.dispose();
    this.stateEmitter.dispose();
    this.exitEmitter.dispose();
  }

  private setState(state: SessionState): void {
    this.stateValue = state;
    this.stateEmitter.fire(state);
  }
}

const closedReason: SessionEndReason = { kind: 'closed', message: 'the terminal was closed' };

function checkedSize(size: TerminalSize): TerminalSize | undefined {
  const rows = Math.floor(size.rows);
  const cols = Math.floor(size.cols);
  return rows > 0 && cols > 0 ? { rows, cols } : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

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
      return { code: undefined, reason: { kind: 'engineLost', message: 'the connection to the Docker engine closed while the shell was running; the shell was ended' } };
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

/** Starts an interactive TTY exec (cwd /workspace unless told) and returns its session at once. */
export function openInteractiveExec(connection: EngineConnection, containerId: string, options: InteractiveExecOptions): InteractiveExecSession {
  const backend = new DockerExecBackend(connection, containerId, options);
  return new InteractiveExecSession(backend, options, { containerId, onEvent: options.onEvent });
}

/**
 * $1: nothing. Prints the login shell of the user the exec runs as (from /etc/passwd, when it
 * exists and is not false/nologin), else bash if on PATH, else /bin/sh.
 */
const shellLookupScript = `me=$(id -u 2>/dev/null)
if [ -n "$me" ] && [ -r /etc/passwd ]; then
  while IFS=: read -r name pw uid gid gecos home shell; do
    [ "$uid" = "$me" ] || continue
    case "\${shell##*/}" in ''|false|nologin) ;; *) [ -x "$shell" ] && { echo "$shell"; exit 0; } ;; esac
    break
  done < /etc/passwd
fi
command -v bash 2>/dev/null && exit 0
echo /bin/sh`;

/**
 * The shell for a session. A setting other than "auto" is used as is; "auto" asks the
 * container once (one short exec as the session's user).
 */
export async function resolveShell(connection: EngineConnection, containerId: string, setting: string, user?: string): Promise<string> {
  const chosen = setting.trim();
  if (chosen && chosen !== 'auto') return chosen;
  const { code, stdout } = await captureExec(connection, containerId, { cmd: ['sh', '-c', shellLookupScript], user });
  const shell = stdout.trim().split('\n').pop()?.trim() ?? '';
  return code === 0 && shell.startsWith('/') ? shell : '/bin/sh';
}

const endLabels: Record<SessionEndReason['kind'], string> = {
  workspaceStopped: 'workspace stopped',
  workspaceRemoved: 'workspace removed',
  engineLost: 'Docker engine lost',
  startFailed: 'could not start the shell',
  closed: 'closed',
};

/** The last line a terminal shows, e.g. "[process exited with code 3]" or "[workspace stopped: …]". */
export function describeSessionEnd(code: number | undefined, reason?: SessionEndReason): string {
  if (reason) return `[${endLabels[reason.kind]}: ${reason.message}]`;
  return code === undefined ? '[process ended]' : `[process exited with code ${code}]`;
}
