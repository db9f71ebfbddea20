import { EngineLog, silentLog } from '../../engine/connection';
import { Disposable } from '../../engine/emitter';
import { StatsSnapshot } from '../stats';
import { StatsSubscriptions } from '../statsStream';
import { HistorySample } from './format';
import { MetricsStore } from './store';
import { HistoryWriter, RecordedWorkspace } from './writer';

/** What the recorder listens to: a monitor's stats streams (SecurityMonitor.stats). */
export type StatsSource = Pick<StatsSubscriptions, 'onSample' | 'onDidChange' | 'onDidRemove'>;

export interface RecorderOptions {
  log?: EngineLog;
  /** How long a workspace another process writes (or a full store refused) waits before this one tries again. */
  retryMs?: number;
}

/** The stored sample of a snapshot: NaN where the engine gave no value (CPU % of a stream's first sample, no memory limit). */
export function historySample(snapshot: StatsSnapshot): HistorySample {
  return {
    at: snapshot.readAt,
    cpuPercent: snapshot.cpuPercent ?? NaN,
    memoryBytes: snapshot.memoryUsedBytes,
    memoryLimitBytes: snapshot.memoryLimitBytes ?? NaN,
    pids: snapshot.pids,
    netRxBytes: snapshot.networkRxBytes,
    netTxBytes: snapshot.networkTxBytes,
    netRxPackets: snapshot.networkRxPackets,
    netTxPackets: snapshot.networkTxPackets,
    blockReadBytes: snapshot.blockReadBytes,
    blockWriteBytes: snapshot.blockWriteBytes,
  };
}

/**
 * Writes the samples of the stats streams it is attached to into the store: one writer (and
 * lock) per workspace while its stream runs, closed when the stream ends so another window may
 * take over. A workspace written elsewhere, or refused for room, is tried again after retryMs.
 * A write error (disk full, read-only folder) is logged once per workspace and never reaches
 * the monitor: history is a by-product, the stats streams go on.
 */
export class MetricsRecorder implements Disposable {
  private readonly writers = new Map<string, HistoryWriter>();
  private readonly waiting = new Map<string, { until: number; reason: string }>();
  /** The last problem logged per workspace: a refusal or a write error repeated every retry is said once. */
  private readonly reported = new Map<string, string>();
  private readonly log: EngineLog;
  private readonly retryMs: number;
  private enabledValue = true;
  private readonly attached = new Set<Disposable>();

  constructor(
    private readonly store: MetricsStore,
    options: RecorderOptions = {},
  ) {
    this.log = options.log ?? silentLog;
    this.retryMs = options.retryMs ?? 10_000;
  }

  get enabled(): boolean {
    return this.enabledValue;
  }

  /** Off: every writer is closed (locks released) and samples are dropped until it is on again. */
  setEnabled(enabled: boolean): void {
    this.enabledValue = enabled;
    if (!enabled) this.closeAll();
  }

  /** The workspaces this process writes the history of now. */
  get recording(): string[] {
    return [...this.writers.keys()];
  }

  /** Records a monitor's samples from now on; dispose() of the result stops (the writers of other sources stay). */
  attach(source: StatsSource): Disposable {
    const subscriptions = [
      source.onSample((stats) => this.record(stats.workspace, historySample(stats.snapshot))),
      source.onDidChange((change) => {
        if (change.kind === 'unsubscribed') this.stopped(change.workspace.id);
      }),
      source.onDidRemove((workspace) => this.removed(workspace, Date.now())),
    ];
    const attached = { dispose: () => subscriptions.splice(0).forEach((subscription) => subscription.dispose()) };
    this.attached.add(attached);
    return {
      dispose: () => {
        this.attached.delete(attached);
        attached.dispose();
      },
    };
  }

  record(workspace: RecordedWorkspace, sample: HistorySample): void {
    if (!this.enabledValue || !MetricsStore.isStorableId(workspace.id) || !(sample.at > 0)) return;
    const writer = this.writers.get(workspace.id) ?? this.open(workspace);
    if (!writer) return;
    try {
      if (writer.record(sample)) {
        this.reported.delete(workspace.id);
        return;
      }
      this.report(workspace.id, 'info', `another process took over the history of ${workspace.name}`);
      this.drop(workspace.id, 'taken over');
    } catch (err) {
      this.report(
        workspace.id,
        'warn',
        `cannot write the history of ${workspace.name}: ${(err as Error).message}; trying again every ${this.retryMs / 1000} s`,
      );
      this.drop(workspace.id, (err as Error).message);
    }
  }

  /** The workspace was removed: its history stays, marked, and is the first to make room. */
  removed(workspace: RecordedWorkspace, at: number): void {
    const writer = this.writers.get(workspace.id);
    this.waiting.delete(workspace.id);
    this.reported.delete(workspace.id);
    if (!MetricsStore.isStorableId(workspace.id)) return;
    try {
      if (writer) writer.markRemoved(at);
      else if (this.enabledValue) HistoryWriter.markRemoved(this.store, workspace, at, this.log);
    } catch (err) {
      this.log.warn(`metrics history: cannot mark ${workspace.name} removed: ${(err as Error).message}`);
    }
    this.stopped(workspace.id);
  }

  /** Its stream ended (stopped, paused, disconnected): the lock goes, the history stays. */
  stopped(workspaceId: string): void {
    const writer = this.writers.get(workspaceId);
    this.writers.delete(workspaceId);
    this.waiting.delete(workspaceId);
    try {
      writer?.close();
    } catch (err) {
      this.log.warn(`metrics history: cannot close the history of ${workspaceId}: ${(err as Error).message}`);
    }
  }

  /** For good: detached from every source (a sample in flight opens no writer again), every lock released. */
  dispose(): void {
    this.enabledValue = false;
    this.attached.forEach((attached) => attached.dispose());
    this.attached.clear();
    this.closeAll();
  }

  private open(workspace: RecordedWorkspace): HistoryWriter | undefined {
    const wait = this.waiting.get(workspace.id);
    if (wait && Date.now() < wait.until) return undefined;
    let opened: ReturnType<typeof HistoryWriter.open>;
    try {
      opened = HistoryWriter.open(this.store, workspace);
    } catch (err) {
      opened = { refused: 'full', reason: (err as Error).message };
    }
    if (opened instanceof HistoryWriter) {
      if (opened.restarted) this.report(workspace.id, 'warn', opened.restarted);
      this.waiting.delete(workspace.id);
      this.writers.set(workspace.id, opened);
      return opened;
    }
    // A second window is refused every retry: normal, so only traced.
    this.report(workspace.id, opened.refused === 'locked' ? 'trace' : 'warn', `not recording ${workspace.name} for now: ${opened.reason}`);
    this.waiting.set(workspace.id, { until: Date.now() + this.retryMs, reason: opened.reason });
    return undefined;
  }

  private report(workspaceId: string, level: 'trace' | 'info' | 'warn', message: string): void {
    if (this.reported.get(workspaceId) === message) return;
    this.reported.set(workspaceId, message);
    this.log[level](`metrics history: ${message}`);
  }

  private drop(workspaceId: string, reason: string): void {
    this.stopped(workspaceId);
    this.waiting.set(workspaceId, { until: Date.now() + this.retryMs, reason });
  }

  private closeAll(): void {
    [...this.writers.keys()].forEach((workspaceId) => this.stopped(workspaceId));
    this.waiting.clear();
  }
}
