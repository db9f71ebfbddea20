import { Readable } from 'node:stream';
import { EngineLog, silentLog } from '../engine/connection';
import { containerStats, listContainers } from '../engine/containers';
import { Disposable, Emitter } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { DockerEvent } from '../engine/events';
import { InspectReader } from './inspectReader';
import { JsonLineParser } from '../engine/jsonLines';
import { MonitoredWorkspace, monitoredWorkspace, MonitorScope } from './scope';
import { cpuLimitFromHostConfig, EngineStatsSample, statsSnapshot, StatsSnapshot } from './stats';

export interface WorkspaceStats {
  workspace: MonitoredWorkspace;
  snapshot: StatsSnapshot;
  sample: EngineStatsSample;
  /** When this process received it; snapshot.readAt is when the engine took it. */
  receivedAt: number;
}

export type SubscriptionChange = { kind: 'subscribed' | 'unsubscribed'; workspace: MonitoredWorkspace; reason: string };

export interface StatsSubscriptionsOptions {
  scope?: MonitorScope;
  log?: EngineLog;
  /** Shared with the monitor's audit so a start event costs one inspect. */
  inspect?: InspectReader;
}

interface Subscription {
  workspace: MonitoredWorkspace;
  stream?: Readable;
  cpuLimitCores?: number;
  latest?: WorkspaceStats;
  closed: boolean;
}

const subscribeActions = new Set(['start', 'unpause']);
const unsubscribeActions = new Set(['die', 'stop', 'pause', 'destroy']);

/**
 * One streaming stats subscription (`stream: true`, the engine pushes a sample a second) per
 * running workspace. Container events start and stop them; a list of running workspaces on
 * every (re)connect catches up with what happened while disconnected. Nothing here polls:
 * a paused or stopped workspace costs no engine work at all.
 */
export class StatsSubscriptions implements Disposable {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly sampleEmitter = new Emitter<WorkspaceStats>();
  private readonly changeEmitter = new Emitter<SubscriptionChange>();
  private readonly removeEmitter = new Emitter<MonitoredWorkspace>();
  private readonly disposables: Disposable[];
  private readonly scope: MonitorScope;
  private readonly log: EngineLog;
  private readonly inspect: InspectReader;
  private disposed = false;

  readonly onSample = this.sampleEmitter.event;
  readonly onDidChange = this.changeEmitter.event;
  /**
   * A workspace's container was removed (its destroy event), streamed or not: a running box
   * removed by force has lost its stream at the `die` before, so `unsubscribed` cannot say it.
   */
  readonly onDidRemove = this.removeEmitter.event;

  constructor(
    private readonly engine: Engine,
    options: StatsSubscriptionsOptions = {},
  ) {
    this.scope = options.scope ?? new MonitorScope();
    this.log = options.log ?? silentLog;
    this.inspect = options.inspect ?? new InspectReader(() => engine.connection());
    this.disposables = [
      engine.onNotice((notice) => {
        if (notice.kind === 'disconnected') this.unsubscribeAll('engine disconnected');
        else void this.resync();
      }),
      engine.onEvent((event) => this.onEngineEvent(event)),
    ];
    if (engine.state.kind === 'connected') void this.resync();
  }

  /** Workspaces with a live subscription. */
  get subscribed(): MonitoredWorkspace[] {
    return [...this.subscriptions.values()].map((subscription) => subscription.workspace);
  }

  /** The last sample of a workspace, for a ticker that wants numbers right away. */
  latest(containerId: string): WorkspaceStats | undefined {
    return this.subscriptions.get(containerId)?.latest;
  }

  /** Lists the running workspaces and subscribes to exactly those. */
  async resync(): Promise<void> {
    try {
      const connection = await this.engine.connection();
      const rows = await listContainers(connection, this.scope.containerQuery(true), 'list running workspaces (stats)');
      if (this.disposed) return;
      const running = new Set(rows.map((row) => row.Id));
      for (const containerId of [...this.subscriptions.keys()]) {
        if (!running.has(containerId)) this.unsubscribe(containerId, 'not running');
      }
      for (const row of rows) this.subscribe(monitoredWorkspace(row.Id, row.Labels, row.Names?.[0]));
    } catch (err) {
      // The engine state says why; the next reconnect resyncs.
      this.log.warn(`stats: cannot list running workspaces: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.disposables.forEach((disposable) => disposable.dispose());
    this.unsubscribeAll('disposed');
    this.sampleEmitter.dispose();
    this.changeEmitter.dispose();
    this.removeEmitter.dispose();
  }

  private onEngineEvent(event: DockerEvent): void {
    if (event.Type !== 'container' || !this.scope.includes(event.Actor.Attributes)) return;
    const containerId = event.Actor.ID;
    if (subscribeActions.has(event.Action)) this.subscribe(monitoredWorkspace(containerId, event.Actor.Attributes, event.Actor.Attributes.name));
    else if (unsubscribeActions.has(event.Action)) this.unsubscribe(containerId, event.Action);
    else if (event.Action === 'update') void this.readCpuLimit(containerId);
    if (event.Action === 'destroy') this.removeEmitter.fire(monitoredWorkspace(containerId, event.Actor.Attributes, event.Actor.Attributes.name));
  }

  private subscribe(workspace: MonitoredWorkspace): void {
    if (this.disposed || this.subscriptions.has(workspace.containerId)) return;
    const subscription: Subscription = { workspace, closed: false };
    this.subscriptions.set(workspace.containerId, subscription);
    this.changeEmitter.fire({ kind: 'subscribed', workspace, reason: 'running' });
    void this.open(subscription);
  }

  private async open(subscription: Subscription): Promise<void> {
    const containerId = subscription.workspace.containerId;
    const [info, opened] = await Promise.allSettled([
      this.inspect.read(containerId),
      this.engine.connection().then((connection) => containerStats(connection, containerId)),
    ]);
    const stream = opened.status === 'fulfilled' ? opened.value : undefined;
    if (subscription.closed || !stream) {
      stream?.destroy();
      if (!subscription.closed) {
        const reason = opened.status === 'rejected' ? (opened.reason as Error).message : 'no stream';
        this.log.warn(`stats: cannot subscribe to ${subscription.workspace.name}: ${reason}`);
        this.unsubscribe(containerId, `subscribe failed: ${reason}`);
      }
      return;
    }
    if (info.status === 'fulfilled') subscription.cpuLimitCores = cpuLimitFromHostConfig(info.value.HostConfig);
    subscription.stream = stream;
    const parser = new JsonLineParser<EngineStatsSample>();
    stream.on('data', (chunk: Buffer) => {
      for (const sample of parser.push(chunk)) this.deliver(subscription, sample);
    });
    const ended = (): void => {
      if (this.subscriptions.get(containerId) === subscription) this.unsubscribe(containerId, 'stream ended');
    };
    stream.once('end', ended);
    stream.once('close', ended);
    stream.once('error', (err: Error) => {
      this.log.trace(`stats stream of ${subscription.workspace.name} failed: ${err.message}`);
      ended();
    });
    this.log.trace(`stats: subscribed to ${subscription.workspace.name}`);
  }

  private deliver(subscription: Subscription, sample: EngineStatsSample): void {
    if (subscription.closed) return;
    const snapshot = statsSnapshot(sample, subscription.cpuLimitCores);
    // A stopping container's last sample is all zeros, stamped at the zero time.
    if (!(snapshot.readAt > 0)) return;
    const stats: WorkspaceStats = { workspace: subscription.workspace, snapshot, sample, receivedAt: Date.now() };
    subscription.latest = stats;
    this.sampleEmitter.fire(stats);
  }

  /** `container.update` may change the quota; re-read it rather than guess. */
  private async readCpuLimit(containerId: string): Promise<void> {
    const subscription = this.subscriptions.get(containerId);
    if (!subscription) return;
    try {
      subscription.cpuLimitCores = cpuLimitFromHostConfig((await this.inspect.read(containerId)).HostConfig);
    } catch (err) {
      this.log.trace(`stats: cannot re-read the CPU limit of ${subscription.workspace.name}: ${(err as Error).message}`);
    }
  }

  private unsubscribe(containerId: string, reason: string): void {
    const subscription = this.subscriptions.get(containerId);
    if (!subscription) return;
    subscription.closed = true;
    subscription.stream?.destroy();
    this.subscriptions.delete(containerId);
    this.changeEmitter.fire({ kind: 'unsubscribed', workspace: subscription.workspace, reason });
  }

  private unsubscribeAll(reason: string): void {
    for (const containerId of [...this.subscriptions.keys()]) this.unsubscribe(containerId, reason);
  }
}
