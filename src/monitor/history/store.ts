import { closeSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryHeader, historyFileBytes, HistorySample, minuteOf } from './format';
import { latestSecond, openHistory, readMinutesRing, readSecondsRing } from './historyFile';
import { defaultLockTiming, LockTiming, pidAlive, WriterLock } from './lock';
import { emptySeries, HistoryRange, MetricsSeries, minuteSeries, rangeSpans, secondSeries } from './query';

/** One workspace's history as the folder lists it. */
export interface StoredHistory extends HistoryHeader {
  /** When its file was last written (the last sample). */
  modifiedAt: number;
}

export interface MetricsStoreOptions {
  /** The metrics folder (metricsHistoryDir(): AICLI_STATE_DIR or the XDG state folder). */
  dir: string;
  /** The most workspaces whose history is kept; see MetricsStore.makeRoom. */
  maxWorkspaces?: number;
  lockTiming?: LockTiming;
}

/** 32 × 1.58 MB (historyFileBytes): the store never takes more than 50.5 MB of disk. */
export const defaultMaxWorkspaces = 32;

const suffix = '.metrics';
/** Workspace ids name files: only ids that make a plain file name are accepted. */
const safeId = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** After this long without a sample a history holds nothing any range shows: the file goes. */
const keptFor = rangeSpans['7d'].spanMs;

/**
 * The metrics folder: one fixed-size file per workspace (`<id>.metrics`) and, while someone
 * writes it, its lock (`<id>.lock`). Any number of processes read; the reading side never
 * writes or locks, and takes a file that disappears (removed to make room) as no history.
 */
export class MetricsStore {
  readonly dir: string;
  readonly maxWorkspaces: number;
  readonly lockTiming: LockTiming;

  constructor(options: MetricsStoreOptions) {
    this.dir = options.dir;
    this.maxWorkspaces = Math.max(1, options.maxWorkspaces ?? defaultMaxWorkspaces);
    this.lockTiming = options.lockTiming ?? defaultLockTiming;
  }

  static isStorableId(workspaceId: string): boolean {
    return safeId.test(workspaceId);
  }

  pathOf(workspaceId: string): string {
    if (!MetricsStore.isStorableId(workspaceId)) throw new Error(`"${workspaceId}" is not a workspace id a history can be kept under`);
    return join(this.dir, `${workspaceId}${suffix}`);
  }

  lockPathOf(workspaceId: string): string {
    return join(this.dir, `${workspaceId}.lock`);
  }

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Every readable history in the folder (unreadable ones are left out; their writer restarts them). */
  list(): StoredHistory[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith(suffix));
    } catch {
      return [];
    }
    const found: StoredHistory[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const opened = openHistory(path);
      if (!opened || 'problem' in opened) continue;
      try {
        found.push({ ...opened.header, modifiedAt: statSync(path).mtimeMs });
      } catch {
        // removed between the open and the stat
      } finally {
        closeSync(opened.fd);
      }
    }
    return found;
  }

  /** A history by workspace id, else by name (the newest of that name): the CLI's way to a removed workspace. */
  find(reference: string): StoredHistory | undefined {
    const all = this.list();
    return (
      all.find((stored) => stored.workspaceId === reference) ?? all.filter((stored) => stored.name === reference).sort((a, b) => b.modifiedAt - a.modifiedAt)[0]
    );
  }

  /**
   * The series of one workspace over a range, read from its file (a few ms: one read of the
   * ring). No file: an empty series; a bad file: an empty series saying why.
   */
  series(workspaceId: string, range: HistoryRange, now = Date.now()): MetricsSeries {
    if (!MetricsStore.isStorableId(workspaceId)) return emptySeries(workspaceId, range);
    const opened = openHistory(this.pathOf(workspaceId));
    if (!opened) return emptySeries(workspaceId, range);
    if ('problem' in opened) return emptySeries(workspaceId, range, `The metrics history of ${workspaceId} cannot be read: ${opened.problem}.`);
    try {
      if (range === '1h') return secondSeries(workspaceId, readSecondsRing(opened.fd), now - rangeSpans['1h'].spanMs);
      const last = minuteOf(now);
      return minuteSeries(workspaceId, range, readMinutesRing(opened.fd), last - rangeSpans[range].spanMs / 60_000, last);
    } catch (err) {
      return emptySeries(workspaceId, range, `The metrics history of ${workspaceId} cannot be read: ${(err as Error).message}.`);
    } finally {
      closeSync(opened.fd);
    }
  }

  /** The newest sample kept for a workspace. */
  latest(workspaceId: string): HistorySample | undefined {
    if (!MetricsStore.isStorableId(workspaceId)) return undefined;
    const opened = openHistory(this.pathOf(workspaceId));
    if (!opened || 'problem' in opened) return undefined;
    try {
      return latestSecond(readSecondsRing(opened.fd));
    } catch {
      return undefined; // series() says why
    } finally {
      closeSync(opened.fd);
    }
  }

  /**
   * Makes room for one more history before `workspaceId`'s file is created, keeping the folder
   * to at most maxWorkspaces files: histories with nothing left to show go first, then removed
   * workspaces' (the earliest removed first), then the least recently written. A history some
   * writer holds the lock of is never taken; when only those are left, there is no room (false)
   * and the new workspace is not recorded.
   */
  makeRoom(workspaceId: string, now = Date.now()): boolean {
    this.removeLeftovers();
    const others = this.list().filter((stored) => stored.workspaceId !== workspaceId);
    const expired = others.filter((stored) => now - stored.modifiedAt > keptFor && this.removeUnlocked(stored.workspaceId));
    const kept = others.filter((stored) => !expired.includes(stored));
    const order = (stored: StoredHistory): [number, number] => (stored.removedAt ? [0, stored.removedAt] : [1, stored.modifiedAt]);
    const candidates = kept.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
    let count = kept.length;
    for (const stored of candidates) {
      if (count < this.maxWorkspaces) break;
      if (this.removeUnlocked(stored.workspaceId)) count--;
    }
    return count < this.maxWorkspaces;
  }

  /** Bytes of every history file in the folder (what the bound limits). */
  usedBytes(): number {
    try {
      return readdirSync(this.dir)
        .filter((name) => name.endsWith(suffix))
        .reduce((sum, name) => sum + statSync(join(this.dir, name)).size, 0);
    } catch {
      return 0;
    }
  }

  /** A file half-made by a process that died before renaming it (createHistory) counts against no bound: it goes. */
  private removeLeftovers(): void {
    for (const name of readdirSync(this.dir)) {
      const maker = /\.metrics\.new-(\d+)$/.exec(name)?.[1];
      if (maker && !pidAlive(Number(maker))) rmSync(join(this.dir, name), { force: true });
    }
  }

  /**
   * Removes a history nobody writes: under its lock, so no writer can open it meanwhile.
   * False when a writer holds it.
   */
  private removeUnlocked(workspaceId: string): boolean {
    const lock = WriterLock.acquire(this.lockPathOf(workspaceId), this.lockTiming);
    if (!(lock instanceof WriterLock)) return false;
    try {
      unlinkSync(this.pathOf(workspaceId));
    } catch {
      // another process removed it first
    } finally {
      lock.release();
    }
    return true;
  }
}

/** The most disk the store's files take: maxWorkspaces files of historyFileBytes each. */
export const storeBoundBytes = (store: MetricsStore): number => store.maxWorkspaces * historyFileBytes;
