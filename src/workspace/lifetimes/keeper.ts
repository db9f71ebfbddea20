import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EngineLog, silentLog } from '../../engine/connection';
import { Disposable, Emitter } from '../../engine/emitter';
import { WriterLock } from '../../monitor/history/lock';
import { LifetimeClock, LifetimeTimer, systemClock } from './clock';

/** The lock file of one keeper (`what`: "engine HOST", "cleanup") in the state folder every front end shares. */
export function keeperLockPath(stateDir: string, what: string): string {
  return join(stateDir, 'lifetimes', `${createHash('sha256').update(what).digest('hex').slice(0, 16)}.lock`);
}

export interface KeeperOptions {
  clock?: LifetimeClock;
  log?: EngineLog;
  /** How often one that is not the keeper looks whether the lock came free. */
  retryMs?: number;
  /** How often the keeper touches its lock (the lock is stale after a minute untouched). */
  heartbeatMs?: number;
}

/**
 * Who acts on the lifetimes of an engine's workspaces (and who runs the periodic cleanup): one
 * VS Code window. Every window sees the same workspaces; if each acted, each would show its own
 * notice, and Keep Running in one would not hold off the other's stop. The keeper is the window
 * holding a lock file (the metrics history's lock: made with O_EXCL, the holder's pid and a
 * heartbeat, taken over when stale); the others look again every retryMs, a look at a file and
 * no engine request. Should the state folder not be writable, every window acts, as without it.
 */
export class KeeperLock implements Disposable {
  private lock: WriterLock | undefined;
  private unlocked = false;
  private timer: LifetimeTimer | undefined;
  private readonly changeEmitter = new Emitter<boolean>();
  private readonly clock: LifetimeClock;
  private readonly log: EngineLog;
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    readonly path: string,
    private readonly options: KeeperOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    this.tick();
  }

  get held(): boolean {
    return this.lock !== undefined || this.unlocked;
  }

  dispose(): void {
    this.timer?.cancel();
    this.lock?.release();
    this.lock = undefined;
    this.unlocked = false;
    this.changeEmitter.dispose();
  }

  private tick(): void {
    const was = this.held;
    if (this.lock && !this.lock.keepAlive()) this.lock = undefined;
    if (!this.held) this.acquire();
    if (this.held !== was) this.changeEmitter.fire(this.held);
    const waitMs = this.held ? (this.options.heartbeatMs ?? 10_000) : (this.options.retryMs ?? 30_000);
    this.timer = this.unlocked ? undefined : this.clock.after(waitMs, () => this.tick());
  }

  private acquire(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const got = WriterLock.acquire(this.path);
      if (got instanceof WriterLock) this.lock = got;
    } catch (err) {
      this.log.warn(`lifetimes: cannot use the lock ${this.path} (${(err as Error).message}); this window acts on its own`);
      this.unlocked = true;
    }
  }
}
