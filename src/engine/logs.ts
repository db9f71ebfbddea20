import { Readable } from 'node:stream';
import { Disposable } from './emitter';
import { Engine } from './engine';
import { EngineError } from './errors';
import { sinceParameter } from './events';
import { LogLine, LogLineParser } from './logLines';
import { DeliveredLogPositions } from './logPositions';

export interface FollowOptions {
  /** Lines of history on the first attach. */
  tail: number;
  onLines(lines: LogLine[]): void;
  /** The follow is over for good: the container was removed, or dispose() was called. */
  onEnd(reason: string): void;
}

/**
 * Follows one container's logs across restarts and engine reconnects. Every attach after the
 * first asks for lines from shortly before the last ones delivered and skips, per stream, what
 * was already delivered (DeliveredLogPositions), so nothing is shown twice and nothing is lost. Driven by the shared events stream: no polling.
 */
export class LogFollower implements Disposable {
  private stream: Readable | undefined;
  private readonly delivered = new DeliveredLogPositions();
  private attached = false;
  /** The run the last attach saw, and whether it was still running then. */
  private attachedTo: { startedAt: string; running: boolean } | undefined;
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
      this.attachedTo = { startedAt: info.State.StartedAt, running: info.State.Running };
      const since = this.delivered.resumeSince();
      stream = (await container.logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(since !== undefined ? { since: sinceParameter(since) as unknown as number } : { tail: this.options.tail }),
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
      if (info.State.Running || this.mayHaveMissedLines(info.State.StartedAt)) await this.attach();
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'notFound') this.end('the container was removed');
    }
  }

  /**
   * Whether a stopped container may hold lines the last stream did not bring. The engine's follow
   * stream can end at the container's exit before the last writes (measured: all of a short second
   * run's lines, on runc and runsc), and a run that started and ended while that stream was still
   * draining brought no start event we could act on. One more attach to the stopped container
   * reads what is left and ends.
   */
  private mayHaveMissedLines(startedAt: string): boolean {
    return this.attachedTo === undefined || this.attachedTo.running || this.attachedTo.startedAt !== startedAt;
  }

  private deliver(lines: LogLine[]): void {
    const fresh = lines.filter((line) => this.delivered.accept(line));
    if (fresh.length > 0) this.options.onLines(fresh);
  }
}
