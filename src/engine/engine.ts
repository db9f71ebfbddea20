import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { EngineConnection, EngineLog, silentLog } from './connection';
import { Disposable, Emitter } from './emitter';
import { EngineError, toEngineError } from './errors';
import { DockerEvent, EventLineParser, sinceParameter } from './events';
import { filtersParameter } from './filters';
import { EngineTarget } from './target';

export type EngineState =
  { kind: 'connecting' } | { kind: 'connected'; connection: EngineConnection } | { kind: 'unreachable'; error: EngineError; retryInMs: number };

/** Reported on the events channel's side band so consumers can resync after a gap. */
export type EngineNotice = { kind: 'connected' } | { kind: 'disconnected'; error: EngineError } | { kind: 'reconnected'; downtimeMs: number };

export interface EngineOptions {
  log?: EngineLog;
  /** First and longest wait between reconnect attempts. */
  backoffMs?: { initial: number; max: number };
}

const recentKeysKept = 512;
/** The event types the product reads (see the onEvent subscribers); the stream asks for no others. */
export const subscribedEventTypes = ['container', 'image'];

/**
 * One engine as the rest of the product sees it: its connection state, and one shared
 * events stream that reconnects with backoff. Consumers subscribe to events and state
 * changes; nobody polls the engine.
 */
export class Engine implements Disposable {
  private stateValue: EngineState = { kind: 'connecting' };
  private readonly stateEmitter = new Emitter<EngineState>();
  private readonly eventEmitter = new Emitter<DockerEvent>();
  private readonly noticeEmitter = new Emitter<EngineNotice>();
  private readonly log: EngineLog;
  private readonly backoff: { initial: number; max: number };
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stream: Readable | undefined;
  private disposed = false;
  private everConnected = false;
  private downSince = 0;
  private lastTimeNano = 0;
  private recentKeys: string[] = [];
  private waiters: { resolve: (c: EngineConnection) => void; reject: (e: EngineError) => void }[] = [];
  /** Bumped by reconfigure() so callbacks of an abandoned connection attempt or stream do nothing. */
  private generation = 0;
  private targetValue: EngineTarget | undefined;

  readonly onDidChangeState = this.stateEmitter.event;
  readonly onEvent = this.eventEmitter.event;
  readonly onNotice = this.noticeEmitter.event;

  /** resolveTarget is called on every connect, so a settings change takes effect on reconfigure(). */
  constructor(
    private readonly resolveTarget: () => EngineTarget,
    options: EngineOptions = {},
  ) {
    this.log = options.log ?? silentLog;
    this.backoff = options.backoffMs ?? { initial: 250, max: 3000 };
  }

  get state(): EngineState {
    return this.stateValue;
  }

  /** The last resolved target; undefined until the first connect or when the host setting is bad. */
  get target(): EngineTarget | undefined {
    return this.targetValue;
  }

  /** Drops the current connection and connects again from freshly resolved settings. */
  reconfigure(): void {
    if (this.disposed) return;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stream?.destroy();
    this.stream = undefined;
    this.attempt = 0;
    this.everConnected = false;
    this.downSince = 0;
    this.lastTimeNano = 0;
    this.setState({ kind: 'connecting' });
    void this.connectOnce();
  }

  /** Connects and opens the events stream; failures are reported as state, never thrown. */
  start(): void {
    void this.connectOnce();
  }

  /** Skips the backoff wait (the "Retry" action). */
  retryNow(): void {
    if (this.disposed || this.stateValue.kind === 'connected') return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setState({ kind: 'connecting' });
    void this.connectOnce();
  }

  /**
   * The live connection. While connecting it waits for the outcome; when the engine is
   * unreachable it throws the reason at once, so commands fail fast with a clear message.
   */
  connection(): Promise<EngineConnection> {
    const state = this.stateValue;
    if (state.kind === 'connected') return Promise.resolve(state.connection);
    if (state.kind === 'unreachable') return Promise.reject(state.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.stream?.destroy();
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
    this.noticeEmitter.dispose();
  }

  private setState(state: EngineState): void {
    this.stateValue = state;
    if (state.kind !== 'connecting') {
      const waiters = this.waiters.splice(0);
      for (const waiter of waiters) {
        if (state.kind === 'connected') waiter.resolve(state.connection);
        else waiter.reject(state.error);
      }
    }
    this.stateEmitter.fire(state);
  }

  private async connectOnce(): Promise<void> {
    const generation = this.generation;
    let connection: EngineConnection;
    let stream: Readable;
    let host = 'the configured Docker host';
    try {
      const target = this.resolveTarget();
      this.targetValue = target;
      host = target.host;
      connection = await EngineConnection.connect(target, this.log);
      // Ask for what happened while we were away, a microsecond back to cover rounding.
      const since = this.lastTimeNano ? sinceParameter(BigInt(Math.max(0, this.lastTimeNano - 1000))) : undefined;
      // Only the types something of ours reads (containers: state, execs, health; images: the
      // Images view); the engine filters, so network, volume and daemon events never reach us.
      const filters = filtersParameter({ type: subscribedEventTypes });
      // The types say `since` is a number and `filters` an object; the engine takes these strings.
      const options = { ...(since ? { since } : {}), filters } as unknown as Docker.GetEventsOptions;
      stream = (await connection.untimed.getEvents(options)) as unknown as Readable;
    } catch (err) {
      if (generation === this.generation) this.onConnectFailed(toEngineError(err, host));
      return;
    }
    if (this.disposed || generation !== this.generation) {
      stream.destroy();
      return;
    }
    this.attempt = 0;
    this.stream = stream;
    const parser = new EventLineParser();
    stream.on('data', (chunk: Buffer) => parser.push(chunk).forEach((event) => this.deliver(event)));
    let ended = false;
    const onEnd = (err?: Error): void => {
      if (ended || generation !== this.generation) return;
      ended = true;
      this.onStreamLost(host, err);
    };
    stream.once('end', () => onEnd());
    stream.once('close', () => onEnd());
    stream.once('error', (err: Error) => onEnd(err));

    const wasDown = this.everConnected;
    this.everConnected = true;
    this.setState({ kind: 'connected', connection });
    if (wasDown) {
      const downtimeMs = Date.now() - this.downSince;
      this.log.info(`events stream from ${host} reconnected after ${downtimeMs} ms`);
      this.noticeEmitter.fire({ kind: 'reconnected', downtimeMs });
    } else {
      this.noticeEmitter.fire({ kind: 'connected' });
    }
  }

  private deliver(event: DockerEvent): void {
    const key = `${event.timeNano}|${event.Type}|${event.Action}|${event.Actor?.ID}`;
    if (this.recentKeys.includes(key)) return;
    this.recentKeys.push(key);
    if (this.recentKeys.length > recentKeysKept) this.recentKeys.shift();
    if (event.timeNano > this.lastTimeNano) this.lastTimeNano = event.timeNano;
    this.eventEmitter.fire(event);
  }

  private onStreamLost(host: string, err?: Error): void {
    this.stream = undefined;
    if (this.disposed) return;
    this.downSince = Date.now();
    // Losing an open stream means the engine went away (stopped, restarted, crashed), whatever
    // the socket said about it (a clean end, ECONNRESET, EPIPE).
    const why = err ? ` (${(err as NodeJS.ErrnoException).code ?? err.message})` : '';
    const error = new EngineError(
      'notRunning',
      `The Docker engine at ${host} closed the events stream${why}: it stopped or restarted.`,
      'Start Docker if it does not come back; AICLI reconnects by itself when it does.',
      [
        { id: 'retry', label: 'Retry' },
        { id: 'showLog', label: 'Show Log' },
      ],
      err,
    );
    this.log.warn(`events stream from ${host} lost: ${error.message}`);
    this.noticeEmitter.fire({ kind: 'disconnected', error });
    this.scheduleRetry(error);
  }

  private onConnectFailed(error: EngineError): void {
    if (this.disposed) return;
    if (!this.downSince) this.downSince = Date.now();
    this.scheduleRetry(error);
  }

  private scheduleRetry(error: EngineError): void {
    // A host string that cannot parse or an engine too old won't fix itself by waiting.
    const permanent = error.kind === 'badHost' || error.kind === 'apiTooOld';
    const retryInMs = permanent ? 0 : Math.min(this.backoff.max, this.backoff.initial * 2 ** this.attempt++);
    this.setState({ kind: 'unreachable', error, retryInMs });
    if (permanent) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connectOnce();
    }, retryInMs);
    this.retryTimer.unref?.();
  }
}
