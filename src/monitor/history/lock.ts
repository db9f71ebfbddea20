import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a lock file holds: who writes the workspace's history. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Tells apart two writers of one process (two stores in a test) and a pid reused later. */
  token: string;
  since: number;
}

export interface LockTiming {
  /** A lock whose file was not touched for this long is stale even if its pid lives (pid reuse, a hung writer). */
  staleMs: number;
  /** How often a holder touches its lock; well under staleMs. */
  heartbeatMs: number;
}

export const defaultLockTiming: LockTiming = { staleMs: 60_000, heartbeatMs: 10_000 };

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Whether a process of this host lives. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it lives, under another user.
    return errorCode(err) === 'EPERM';
  }
}

function readHolder(path: string): { holder: LockHolder | undefined; text: string; touchedAt: number } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const touchedAt = statSync(path).mtimeMs;
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(text) as LockHolder;
    } catch {
      holder = undefined; // being written this instant, or garbage: only its age decides
    }
    return { holder, text, touchedAt };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(found: { holder: LockHolder | undefined; touchedAt: number }, timing: LockTiming): boolean {
  if (Date.now() - found.touchedAt > timing.staleMs) return true;
  const { holder } = found;
  return holder !== undefined && holder.host === hostname() && !pidAlive(holder.pid);
}

function createExclusive(path: string, holder: LockHolder): boolean {
  try {
    writeFileSync(path, JSON.stringify(holder), { flag: 'wx' });
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes a stale lock away without racing a second taker: the lock is renamed aside (atomic,
 * so only one of two takers gets it) and removed only if it is still the one judged stale; a
 * fresh lock another taker made meanwhile is put back.
 */
function removeStale(path: string, judged: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  if (readFileSync(aside, 'utf8') !== judged) {
    try {
      linkSync(aside, path);
    } catch {
      // a third writer holds it by now: theirs stands, this fresh one is dropped
    }
  }
  unlinkSync(aside);
}

/**
 * The one-writer lock of a workspace's history: a file made exclusively (O_EXCL) holding the
 * writer's pid, host and a token, touched every heartbeat. A lock is stale when its pid is gone
 * on this host or it was not touched for staleMs (a pid reused after a crash, a writer on
 * another host sharing the folder), and is then taken over. Readers never lock.
 */
export class WriterLock {
  private lastBeat = Date.now();
  private released = false;

  private constructor(
    readonly path: string,
    private readonly holder: LockHolder,
    private readonly timing: LockTiming,
  ) {}

  /** The lock, or the holder that keeps it (undefined holder: a lock file being written right now). */
  static acquire(path: string, timing: LockTiming = defaultLockTiming): WriterLock | { heldBy: LockHolder | undefined } {
    const holder: LockHolder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), since: Date.now() };
    for (let attempt = 0; attempt < 2; attempt++) {
      if (createExclusive(path, holder)) return new WriterLock(path, holder, timing);
      const found = readHolder(path);
      if (found && !isStale(found, timing)) return { heldBy: found.holder };
      if (found) removeStale(path, found.text);
    }
    return { heldBy: readHolder(path)?.holder };
  }

  /**
   * Called on every write: touches the lock once a heartbeat and checks it is still ours.
   * False when another writer took it over (this one hung past staleMs): stop writing.
   */
  keepAlive(): boolean {
    if (this.released) return false;
    const now = Date.now();
    if (now - this.lastBeat < this.timing.heartbeatMs) return true;
    this.lastBeat = now;
    const found = readHolder(this.path);
    if (!found || found.holder?.token !== this.holder.token) {
      this.released = true;
      return false;
    }
    utimesSync(this.path, now / 1000, now / 1000);
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readHolder(this.path)?.holder?.token === this.holder.token) unlinkSync(this.path);
    } catch {
      // gone already; a stale lock left behind is taken over by the next writer
    }
  }
}
