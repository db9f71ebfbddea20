import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Disposable } from '../../engine/emitter';
import { CleanupPlan } from '../cleanup';
import { LifetimeClock, LifetimeTimer, systemClock } from './clock';

/** Where the last periodic cleanup's time is kept, for every window and across reloads. */
export const cleanupRunFile = (stateDir: string): string => join(stateDir, 'lifetimes', 'cleanup.json');

/**
 * When the periodic cleanup (aicli.cleanup.interval) runs: an interval after the last run of any
 * window, read from the state folder (a reload, or a second window, does not start the count
 * again; a run missed while VS Code was closed comes soon after it opens). Turned on for the
 * first time, the count starts then. One timer; nothing runs while the interval is off.
 */
export class CleanupSchedule implements Disposable {
  private timer: LifetimeTimer | undefined;
  private running = false;
  private disposed = false;

  constructor(
    private readonly file: string,
    private readonly intervalMs: () => number | undefined,
    /** The run: its notice, its removal (or skip). The next run counts from its end. */
    private readonly run: () => Promise<void>,
    private readonly clock: LifetimeClock = systemClock,
  ) {
    this.refresh();
  }

  /** The setting changed: the timer is set again. */
  refresh(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const intervalMs = this.intervalMs();
    if (!intervalMs || this.running || this.disposed) return;
    const now = this.clock.now();
    let last = this.lastRunAt();
    if (last === undefined) last = this.markRun(now);
    this.timer = this.clock.after(Math.max(0, last + intervalMs - now), () => void this.fire());
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.cancel();
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      await this.run();
    } finally {
      this.running = false;
      this.markRun(this.clock.now());
      this.refresh();
    }
  }

  private lastRunAt(): number | undefined {
    try {
      const at = Date.parse((JSON.parse(readFileSync(this.file, 'utf8')) as { lastRunAt?: string }).lastRunAt ?? '');
      return Number.isFinite(at) ? at : undefined;
    } catch {
      return undefined;
    }
  }

  private markRun(at: number): number {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(this.file, `${JSON.stringify({ lastRunAt: new Date(at).toISOString() })}\n`);
    } catch {
      // Unwritable state folder: the count starts again at the next reload, no worse than that.
    }
    return at;
  }
}

/**
 * What of a plan named in the notice still qualifies a minute later: the fresh plan's items that
 * the notice named. Nothing new is removed unannounced, nothing that stopped qualifying (a
 * workspace started again meanwhile) is removed at all.
 */
export function namedAndStillDue(named: CleanupPlan, fresh: CleanupPlan): CleanupPlan {
  const has = <T>(list: T[], key: (item: T) => string): ((item: T) => boolean) => {
    const keys = new Set(list.map(key));
    return (item) => keys.has(key(item));
  };
  return {
    workspaces: fresh.workspaces.filter(has(named.workspaces, (ws) => ws.containerId)),
    gateways: fresh.gateways.filter(has(named.gateways, (gateway) => gateway.id)),
    networks: fresh.networks.filter(has(named.networks, (network) => network.id)),
    images: fresh.images.filter(has(named.images, (image) => image.id)),
    volumes: fresh.volumes.filter(has(named.volumes, (volume) => volume.name)),
    kept: fresh.kept,
  };
}
