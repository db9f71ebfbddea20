import { Readable } from 'node:stream';
import { Disposable } from './emitter';
import { Engine } from './engine';
import { EngineError } from './errors';
import { sinceParameter } from './events';
import { LogLine, LogLineParser } from './logLines';

export interface FollowOptions {
  /** Lines of history on the first attach. */
  tail: number;
  onLines(lines: LogLine[]): void;
  /** The follow is over for good: the container was removed, or dispose() was called. */
  onEnd(reason: string): void;
}

/**
 * Follows one container's logs across restarts and engine reconnects. Every attach after the
 * first asks for lines since the last one delivered, and skips what was already delivered, so
 * nothing is shown twice and nothing is lost. Driven by the shared events stream: no polling.
 */
export class LogFollower implements Disposable {
  private stream: Readable | undefined;
  private lastNanos: bigint | undefined;
  /** Lines delivered with exactly lastNanos (two lines may share a timestamp). */
  private countAtLast = 0;
  /** On a resumed attach, the engine repeats the lines at lastNanos; skip that many. */
  private skipAtLast = 0;
  private attached = false;
  private ended = false;
  private readonly subscriptions: Disposable[];

  constructor(
    private readonly engine: Engine,
    private readonly containerId: string,
    private readonly options: FollowOptions,
  ) {
    this.subscriptions = [
      engine.onEvent((event) => {
        if (event.Type !== 'container' || event.Actor.ID !== containerId) return;
        if (event.Action === 'destroy') this.end('the container was removed');
        else if (event.Action === 'start' && !this.attached) void this.attach();
      }),
      engine.onNotice((notice) => {
        if (notice.kind === 'reconnected' && !this.attached) void this.attach();
      }),
    ];
  }

  start(): void {
    void this.attach();
  }

  dispose(): void {
    this.end('stopped following');
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.stream?.destroy();
    this.stream = undefined;
    this.options.onEnd(reason);
  }

  private async attach(): Promise<void> {
    if (this.ended || this.attached) return;
    this.attached = true;
    let stream: Readable;
    let tty: boolean;
    try {
      const connection = await this.engine.connection();
      const container = connection.untimed.getContainer(this.containerId);
      const info = await connection.call('inspect for logs', () => container.inspect());
      tty = info.Config.Tty;
      const resume = this.lastNanos !== undefined;
      this.skipAtLast = this.countAtLast;
      stream = (await container.logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(resume ? { since: sinceParameter(this.lastNanos as bigint) as unknown as number } : { tail: this.options.tail }),
      })) as unknown as Readable;
    } catch (err) {
      this.attached = false;
      if (err instanceof EngineError && err.kind === 'notFound') this.end('the container was removed');
      // Otherwise the engine is away; the reconnect notice brings us back.
      return;
    }
    if (this.ended) {
      stream.destroy();
      return;
    }
    this.stream = stream;
    const parser = new LogLineParser(tty);
    stream.on('data', (chunk: Buffer) => this.deliver(parser.push(chunk)));
    const detached = (): void => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.attached = false;
      // The stream ends when the container stops; if it is already running again (a quick
      // restart), attach now, else the next start event does.
      void this.reattachIfRunning();
    };
    stream.once('end', detached);
    stream.once('close', detached);
    stream.once('error', detached);
  }

  private async reattachIfRunning(): Promise<void> {
    if (this.ended) return;
    try {
      const connection = await this.engine.connection();
      const info = await connection.call('inspect for logs', (docker) => docker.getContainer(this.containerId).inspect());
      if (info.State.Running) await this.attach();
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'notFound') this.end('the container was removed');
    }
  }

  private deliver(lines: LogLine[]): void {
    const fresh: LogLine[] = [];
    for (const line of lines) {
      if (this.lastNanos !== undefined && line.timeNanos < this.lastNanos) continue;
      if (line.timeNanos === this.lastNanos) {
        if (this.skipAtLast > 0) {
          this.skipAtLast--;
          continue;
        }
        this.countAtLast++;
      } else {
        this.lastNanos = line.timeNanos;
        this.countAtLast = 1;
        this.skipAtLast = 0;
      }
      fresh.push(line);
    }
    if (fresh.length > 0) this.options.onLines(fresh);
  }
}
