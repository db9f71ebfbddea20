import { MonitoredWorkspace } from '../../monitor/scope';
import { LifetimeClock, LifetimeTimer } from './clock';
import { cpuWindowMs, idleCpuPercent, LifetimeRule, LifetimeSettings, warningLeadMs } from './rules';

/** A stop the lifetimes announced: what a front end's notice says, and what the stop records. */
export interface LifetimeWarning {
  workspace: MonitoredWorkspace;
  rule: LifetimeRule;
  /** The setting's value. */
  limitMs: number;
  /** Idle since (idleStop) or running since (maxAge). */
  since: number;
  /** It is stopped then unless someone keeps it. */
  stopAt: number;
  /** Exec sessions open now (a maxAge stop ends them). */
  openSessions: number;
}

/** Why a notice no longer holds: the workspace is in use again, the setting changed, it was paused, it is gone. */
export type WithdrawReason = 'active' | 'setting' | 'paused' | 'gone';

export interface WorkspaceLifetimeHooks {
  settings(): LifetimeSettings;
  warn(warning: LifetimeWarning): void;
  withdraw(warning: LifetimeWarning, reason: WithdrawReason): void;
  /** The notice ran out: stop it (and call stopFailed if that does not work). */
  stop(warning: LifetimeWarning): void;
}

/** A stats sample older than this does not tell the CPU now: no idle notice without a fresh one. */
const freshSampleMs = 5000;

interface DueStop {
  rule: LifetimeRule;
  limitMs: number;
  since: number;
  stopAt: number;
}

/**
 * The lifetimes of one running workspace, as a function of what it is told (sessions, CPU
 * samples, pause) and of its clock; one timer, set for the next thing that can happen (a
 * notice, a stop). Idle since = the last activity: the tracking began (a start, an unpause,
 * the first sight), a session ended, a busy CPU window, a Keep Running. A notice is withdrawn
 * when the workspace is in use again before the stop.
 */
export class WorkspaceLifetime {
  private readonly sessions = new Set<string>();
  private activeAt: number;
  private keptAgeUntil = 0;
  private cpu = { startedAt: 0, usedMs: 0 };
  private lastSampleAt: number | undefined;
  private timer: LifetimeTimer | undefined;
  private current: LifetimeWarning | undefined;
  private paused = false;
  private stopping = false;
  private waitingForSample = false;
  private disposed = false;

  constructor(
    readonly workspace: MonitoredWorkspace,
    /** When its current run began (the engine's start). */
    readonly startedAt: number,
    private readonly clock: LifetimeClock,
    private readonly hooks: WorkspaceLifetimeHooks,
  ) {
    this.activeAt = clock.now();
  }

  get warning(): LifetimeWarning | undefined {
    return this.current;
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  sessionStarted(execId: string): void {
    this.sessions.add(execId);
    this.evaluate();
  }

  sessionEnded(execId: string): void {
    if (!this.sessions.delete(execId)) return;
    this.activeAt = this.clock.now();
    this.evaluate();
  }

  /** A stats sample's CPU % (the engine's: 100 = one CPU); undefined for a stream's first sample. */
  cpuSample(percent: number | undefined): void {
    const now = this.clock.now();
    const previous = this.lastSampleAt;
    this.lastSampleAt = now;
    const idleStopMs = this.hooks.settings().idleStopMs;
    if (percent !== undefined && idleStopMs) {
      const windowMs = cpuWindowMs(idleStopMs);
      if (now - this.cpu.startedAt >= windowMs) this.cpu = { startedAt: now, usedMs: 0 };
      // The engine's % is over the time since its previous sample: about a second.
      const intervalMs = previous === undefined ? 1000 : Math.min(Math.max(now - previous, 0), 2000);
      this.cpu.usedMs += (percent / 100) * intervalMs;
      if (this.cpu.usedMs >= (idleCpuPercent / 100) * windowMs - 1e-9) {
        this.activeAt = now;
        this.cpu = { startedAt: now, usedMs: 0 };
        return this.evaluate();
      }
    }
    if (this.waitingForSample) this.evaluate();
  }

  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) this.withdraw('paused');
    // A paused box ran nothing: its idle clock starts again (its age goes on).
    else this.activeAt = this.clock.now();
    this.evaluate();
  }

  /** Keep Running: the announced rule is postponed by its whole limit; the notice it answered, if any. */
  keep(): LifetimeWarning | undefined {
    const warning = this.take();
    if (warning) this.postpone(warning.rule);
    return warning;
  }

  /** Stop Now: the notice is taken (no stop of the timer's follows); the caller stops it. */
  stopNow(): LifetimeWarning | undefined {
    const warning = this.take();
    if (warning) this.stopping = true;
    return warning;
  }

  /** The stop did not work: try again only after another whole limit (no loop of notices). */
  stopFailed(rule: LifetimeRule): void {
    this.stopping = false;
    this.postpone(rule);
  }

  /** Looks at the settings and the clock again: withdraws, announces, stops, and sets the timer. */
  evaluate(): void {
    this.clearTimer();
    this.waitingForSample = false;
    if (this.paused || this.stopping || this.disposed) return;
    const settings = this.hooks.settings();
    const now = this.clock.now();
    const due = this.nextStop(settings);
    const warning = this.current;
    if (warning && !(due && due.rule === warning.rule && due.stopAt <= warning.stopAt)) {
      this.withdraw(settings[warning.rule === 'idleStop' ? 'idleStopMs' : 'maxAgeMs'] === warning.limitMs ? 'active' : 'setting');
    }
    if (!due) return;
    if (this.current) {
      if (now < this.current.stopAt) return this.arm(this.current.stopAt - now);
      const stopping = this.take()!;
      this.stopping = true;
      return this.hooks.stop(stopping);
    }
    const leadMs = warningLeadMs(due.limitMs);
    if (now < due.stopAt - leadMs) return this.arm(due.stopAt - leadMs - now);
    if (due.rule === 'idleStop' && !(this.lastSampleAt !== undefined && now - this.lastSampleAt <= freshSampleMs)) {
      // No stats lately (the stream is down or just opening): idle is not known, so no notice; the next sample looks again.
      this.waitingForSample = true;
      return;
    }
    // Due long ago (a setting just made shorter, a box older than maxAge when first seen): still a whole notice.
    this.current = { workspace: this.workspace, ...due, stopAt: Math.max(due.stopAt, now + leadMs), openSessions: this.sessions.size };
    this.hooks.warn(this.current);
    this.arm(this.current.stopAt - now);
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.withdraw('gone');
  }

  private nextStop(settings: LifetimeSettings): DueStop | undefined {
    const candidates: DueStop[] = [];
    if (settings.idleStopMs && this.sessions.size === 0) {
      candidates.push({ rule: 'idleStop', limitMs: settings.idleStopMs, since: this.activeAt, stopAt: this.activeAt + settings.idleStopMs });
    }
    if (settings.maxAgeMs) {
      const stopAt = Math.max(this.startedAt + settings.maxAgeMs, this.keptAgeUntil);
      candidates.push({ rule: 'maxAge', limitMs: settings.maxAgeMs, since: this.startedAt, stopAt });
    }
    return candidates.sort((a, b) => a.stopAt - b.stopAt)[0];
  }

  private postpone(rule: LifetimeRule): void {
    const now = this.clock.now();
    if (rule === 'idleStop') this.activeAt = now;
    else this.keptAgeUntil = now + (this.hooks.settings().maxAgeMs ?? 0);
    this.evaluate();
  }

  private take(): LifetimeWarning | undefined {
    const warning = this.current;
    this.current = undefined;
    this.clearTimer();
    return warning;
  }

  private withdraw(reason: WithdrawReason): void {
    const warning = this.take();
    if (warning) this.hooks.withdraw(warning, reason);
  }

  private arm(ms: number): void {
    this.clearTimer();
    this.timer = this.clock.after(ms, () => {
      this.timer = undefined;
      this.evaluate();
    });
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
