import { closeSync } from 'node:fs';
import { EngineLog } from '../../engine/connection';
import { counters, gauges, HistorySample, minuteOf, rateBetween, seriesMetrics } from './format';
import { createHistory, HistoryFileWriter, openHistory } from './historyFile';
import { WriterLock } from './lock';
import { MinuteAggregate } from './minuteAggregate';
import { MetricsStore } from './store';

export interface RecordedWorkspace {
  /** The workspace id label: stable across restarts, unique across engines. */
  id: string;
  name: string;
}

/** Why a writer could not be opened: someone else writes it, or the store is full of live histories. */
export type WriterRefusal = { refused: 'locked'; reason: string } | { refused: 'full'; reason: string };

/** Opens the file for writing, creating it (after making room) or starting a bad one again (and says why). */
function openForWriting(store: MetricsStore, workspace: RecordedWorkspace): { fd: number; restarted?: string } | WriterRefusal {
  const path = store.pathOf(workspace.id);
  const header = { workspaceId: workspace.id, name: workspace.name, createdAt: Date.now(), removedAt: undefined };
  let opened = openHistory(path, 'r+');
  if (opened && !('problem' in opened) && opened.header.workspaceId !== workspace.id) {
    closeSync(opened.fd);
    opened = { problem: `it names another workspace (${opened.header.workspaceId})` };
  }
  let restarted: string | undefined;
  if (opened && 'problem' in opened) {
    restarted = `${path} could not be read (${opened.problem}); the history of ${workspace.name} starts again`;
    createHistory(path, header);
  } else if (!opened) {
    if (!store.makeRoom(workspace.id)) {
      return { refused: 'full', reason: `the metrics history keeps at most ${store.maxWorkspaces} workspaces and every one is being written` };
    }
    createHistory(path, header);
  } else {
    return { fd: opened.fd };
  }
  const created = openHistory(path, 'r+');
  if (!created || 'problem' in created) throw new Error(`${path} cannot be opened after it was made`);
  return { fd: created.fd, restarted };
}

/**
 * The one writer of one workspace's history (it holds the lock). Each sample is one positioned
 * write of its second's slot and one of its minute's running min/avg/max.
 */
export class HistoryWriter {
  private previous: HistorySample | undefined;
  private minute: MinuteAggregate | undefined;
  /** This sample's series values by metric index, reused: one record a second for as long as the window is open. */
  private readonly values = new Float64Array(seriesMetrics.length);

  private constructor(
    readonly workspace: RecordedWorkspace,
    private readonly file: HistoryFileWriter,
    private readonly lock: WriterLock,
    /** Set when the file was bad and was started again: the recorder reports it. */
    readonly restarted?: string,
  ) {
    // Rates go on from the last sample before a reload.
    this.previous = file.latestSecond();
  }

  static open(store: MetricsStore, workspace: RecordedWorkspace): HistoryWriter | WriterRefusal {
    store.ensureDir();
    const lock = WriterLock.acquire(store.lockPathOf(workspace.id), store.lockTiming);
    if (!(lock instanceof WriterLock)) {
      const holder = lock.heldBy ? `process ${lock.heldBy.pid} on ${lock.heldBy.host}` : 'another process';
      return { refused: 'locked', reason: `${holder} writes it` };
    }
    try {
      const opened = openForWriting(store, workspace);
      if ('refused' in opened) {
        lock.release();
        return opened;
      }
      return new HistoryWriter(workspace, new HistoryFileWriter(opened.fd), lock, opened.restarted);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** Marks a removed workspace's history (first to go when room is needed), if nobody else writes it. */
  static markRemoved(store: MetricsStore, workspace: RecordedWorkspace, at: number, log: EngineLog): void {
    const lock = WriterLock.acquire(store.lockPathOf(workspace.id), store.lockTiming);
    if (!(lock instanceof WriterLock)) return; // its writer hears the same removal
    try {
      const opened = openHistory(store.pathOf(workspace.id), 'r+');
      if (!opened || 'problem' in opened) return;
      const file = new HistoryFileWriter(opened.fd);
      file.markRemoved(at);
      file.close();
    } catch (err) {
      log.warn(`metrics history: cannot mark ${workspace.name} removed: ${(err as Error).message}`);
    } finally {
      lock.release();
    }
  }

  /** False when the lock was lost (another writer took it over): close this one. Throws on a write error. */
  record(sample: HistorySample): boolean {
    if (!this.lock.keepAlive()) return false;
    // A repeated or late sample (a second stream of the same box after a reconnect) changes nothing.
    if (this.previous && sample.at <= this.previous.at) return true;
    const { previous, values } = this;
    this.file.writeSecond(sample);
    gauges.forEach((gauge, index) => (values[index] = sample[gauge]));
    counters.forEach((counter, index) => {
      values[gauges.length + index] = previous ? rateBetween(previous.at, previous[counter], sample.at, sample[counter]) : NaN;
    });
    const minute = minuteOf(sample.at);
    if (this.minute?.minute !== minute) {
      // Only the first minute after opening can have been begun by an earlier writer (a reload mid-minute).
      const stored = this.minute ? undefined : this.file.readMinute(minute);
      this.minute = stored ? MinuteAggregate.resume(stored) : new MinuteAggregate(minute);
    }
    this.minute.add(values);
    this.file.writeMinute(this.minute);
    this.previous = sample;
    return true;
  }

  markRemoved(at: number): void {
    this.file.markRemoved(at);
  }

  close(): void {
    try {
      this.file.close();
    } finally {
      this.lock.release();
    }
  }
}
