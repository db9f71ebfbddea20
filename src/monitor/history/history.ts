/**
 * The metrics history: per workspace CPU %, memory (and its limit), pids, network rx/tx bytes
 * and packets, block read/write bytes, at 1 s for the last hour and as min/avg/max per minute
 * for 7 days, fed by the samples the monitor's stats streams already receive (no engine
 * request of its own) and kept in the state folder every front end shares (location.ts).
 *
 * Why a file format of our own (format.ts) and not SQLite: the extension host runs VS Code's
 * Node, so a native module (better-sqlite3) is out, and the WASM build, sql.js, holds the whole
 * database in memory and persists only by writing all of it again (`db.export()`): for 20
 * workspaces a rewrite of ~30 MB every time it saves, whatever came since the last save lost
 * on a crash, and a second window or the CLI reading a copy that is stale until then. It would
 * also add its WASM SQLite (about 0.6 to 1.2 MB, depending on the build) to the bundle, compiled
 * at every activation. A history is a fixed set of numbers per second, and a ring of them needs
 * no more than positioned writes:
 * - size: one file of 1,578,496 bytes per workspace, fixed from its creation (a 3,600-slot ring
 *   of 80-byte seconds, a 10,080-slot ring of 128-byte minutes); rings are sparse until written.
 *   At most maxWorkspaces (32) files: 50.5 MB in all. When a new workspace needs room, a history
 *   with no sample for 7 days goes first, then removed workspaces' (the earliest removed first),
 *   then the least recently written; one some writer holds is never taken.
 * - speed: a sample is two positioned writes (its second, its minute's running min/avg/max), no
 *   fsync: ~9 µs of CPU (20 workspaces at 1 s: 0.02 % of a core). A 1 h series is one read of
 *   288 kB, 7 d one of 1.3 MB, each a few ms with its decoding.
 * - crash safety: files are made under a temporary name and renamed; a slot is valid only if the
 *   time in it maps to its place, so a torn or never-written slot reads as a gap; a file with a
 *   bad header or size is reported (the reader's series says why) and started again by its writer.
 *   A crash loses the sample in flight; a power cut, what the page cache had not written yet.
 * - several windows: one writer per workspace, by a lock file with pid, host and a token, touched
 *   every 10 s; a lock whose pid is gone or untouched for 60 s is taken over (a writer that finds
 *   its lock taken stops). Any number of readers (other windows' graphs, `aicli-ws stats`) read
 *   without locking.
 */
import { EngineLog } from '../../engine/connection';
import { Disposable } from '../../engine/emitter';
import { metricsHistoryDir } from './location';
import { HistorySample } from './format';
import { LockTiming } from './lock';
import { HistoryRange, MetricsSeries } from './query';
import { MetricsRecorder, StatsSource } from './recorder';
import { MetricsStore, StoredHistory } from './store';
import { RecordedWorkspace } from './writer';

export type { HistorySample, SeriesMetric } from './format';
export type { HistoryRange, MetricsSeries, MinuteSeries, SecondSeries } from './query';
export type { StatsSource } from './recorder';
export type { StoredHistory } from './store';

export interface MetricsHistoryOptions {
  /** The metrics folder; default metricsHistoryDir() (AICLI_STATE_DIR, else $XDG_STATE_HOME/aicli-workspaces/metrics). */
  dir?: string;
  /** Record at all (a setting); setEnabled changes it later. Queries work either way. */
  enabled?: boolean;
  /** The most workspaces kept (default 32). */
  maxWorkspaces?: number;
  log?: EngineLog;
  /** How long a workspace written by another window waits before this one tries to take it over (default 10 s). */
  retryMs?: number;
  lockTiming?: LockTiming;
}

/**
 * What a front end holds: construct it once with the state folder, attach each engine scope's
 * monitor stats (`history.attach(scope.monitor.stats)`, kept until the scope goes), query it
 * for graphs with series(), dispose it on deactivation (releases every lock).
 */
export class MetricsHistory implements Disposable {
  readonly store: MetricsStore;
  private readonly recorder: MetricsRecorder;

  constructor(options: MetricsHistoryOptions = {}) {
    this.store = new MetricsStore({ dir: options.dir ?? metricsHistoryDir(), maxWorkspaces: options.maxWorkspaces, lockTiming: options.lockTiming });
    this.recorder = new MetricsRecorder(this.store, { log: options.log, retryMs: options.retryMs });
    this.recorder.setEnabled(options.enabled ?? true);
  }

  get dir(): string {
    return this.store.dir;
  }

  get enabled(): boolean {
    return this.recorder.enabled;
  }

  /** Off: no more writes, every lock released; the history on disk stays readable. */
  setEnabled(enabled: boolean): void {
    this.recorder.setEnabled(enabled);
  }

  /** Records the samples of a monitor's stats streams until the result is disposed. */
  attach(source: StatsSource): Disposable {
    return this.recorder.attach(source);
  }

  /** One workspace's series for a graph: columns of times and values (min/avg/max per minute for 24h and 7d). */
  series(workspaceId: string, range: HistoryRange, now = Date.now()): MetricsSeries {
    return this.store.series(workspaceId, range, now);
  }

  /** The newest stored sample of a workspace (totals, not rates). */
  latest(workspaceId: string): HistorySample | undefined {
    return this.store.latest(workspaceId);
  }

  /** A stored history by workspace id or name (also of a removed workspace). */
  find(reference: string): StoredHistory | undefined {
    return this.store.find(reference);
  }

  /** The workspaces this process writes now (the others are written by another window, or not running). */
  get recording(): string[] {
    return this.recorder.recording;
  }

  /** What attach() does with each sample; for benches and tests that feed samples faster than real time. */
  record(workspace: RecordedWorkspace, sample: HistorySample): void {
    this.recorder.record(workspace, sample);
  }

  /** What attach() does on a workspace's destroy event. */
  removed(workspace: RecordedWorkspace, at = Date.now()): void {
    this.recorder.removed(workspace, at);
  }

  dispose(): void {
    this.recorder.dispose();
  }
}
