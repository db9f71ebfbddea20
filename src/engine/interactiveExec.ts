import { Duplex } from 'node:stream';
import { EngineConnection } from './connection';
import { DockerExecBackend, InteractiveExecOptions } from './dockerExecBackend';
import { Disposable, Emitter } from './emitter';
import { DockerEvent } from './events';

export { InteractiveExecOptions } from './dockerExecBackend';
export { resolveShell } from './shell';

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
  /** Input goes straight to the stream only once the queue typed ahead has been sent. */
  private inputOpen = false;
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
    if (this.inputOpen && this.stream) this.stream.write(bytes);
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
    // Typed-ahead commands run at the terminal's size, not the 0×0 an exec starts with.
    await this.applyPendingSize();
    for (const bytes of this.queuedInput.splice(0)) stream.write(bytes);
    this.inputOpen = true;
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
    const exit = await this.backend
      .outcome()
      .catch((err: unknown): SessionExit => ({ code: undefined, reason: { kind: 'engineLost', message: messageOf(err) } }));
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

/** Starts an interactive TTY exec (cwd /workspace unless told) and returns its session at once. */
export function openInteractiveExec(connection: EngineConnection, containerId: string, options: InteractiveExecOptions): InteractiveExecSession {
  const backend = new DockerExecBackend(connection, containerId, options);
  return new InteractiveExecSession(backend, options, { containerId, onEvent: options.onEvent });
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
