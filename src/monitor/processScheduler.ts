import { EngineConnection, EngineLog } from '../engine/connection';
import { EngineError } from '../engine/errors';
import { AuditFinding } from './audit';
import { diskRules, runDiskCheck } from './diskUsage';
import { processRules, runProcessChecks } from './processChecks';
import { MonitoredWorkspace } from './scope';
import { MonitorSettings } from './settings';
import { TrackedWorkspaces } from './tracking';

/** A process check that takes longer is abandoned (the engine may be stuck on that container). */
const processCheckTimeoutMs = 10_000;
/** How long a pause or stop waits for a process check in flight before acting anyway. */
const waitForCheckMs = 3000;

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

/** A check's result, or 'timeout' after processCheckTimeoutMs: the check is then abandoned, a later failure of it ignored. */
function withinCheckTimeout<T>(check: Promise<T>): Promise<T | 'timeout'> {
  check.catch(() => undefined);
  return Promise.race([check, delay(processCheckTimeoutMs).then(() => 'timeout' as const)]);
}

interface Checks {
  /** The process check in flight; a pause or stop waits for it (see withoutExecs). */
  check?: Promise<void>;
  checkAgain: boolean;
  /** Pauses/stops under way (the breach response's or the UI's): no exec may start meanwhile. */
  holds: number;
  lastCheckAt: number;
  timer?: NodeJS.Timeout;
}

export interface ProcessSchedulerOptions {
  connection: () => Promise<EngineConnection>;
  settings: () => MonitorSettings;
  log: EngineLog;
  /** Least time between two process checks of one workspace. */
  intervalMs: number;
  /** What a finished check found, for the rules (see MonitorRules.apply). */
  apply: (workspace: MonitoredWorkspace, findings: AuditFinding[], family: readonly string[], conditionAt: number) => void;
}

/**
 * When the exec-based process checks run: at most one in flight per workspace (a request
 * meanwhile runs it again afterwards), at least intervalMs apart, abandoned after a timeout,
 * only while the workspace runs, and never while a pause or stop is under way (withoutExecs).
 */
export class ProcessCheckScheduler {
  private readonly checks = new Map<string, Checks>();
  private disposed = false;

  constructor(
    private readonly tracked: TrackedWorkspaces,
    private readonly options: ProcessSchedulerOptions,
  ) {}

  /** Runs the process checks of one workspace now (also what the timers call). */
  check(containerId: string): Promise<void> {
    const checks = this.checksOf(containerId);
    if (!checks || !this.options.settings().processChecks || !this.tracked.isRunning(containerId) || checks.holds > 0) return Promise.resolve();
    if (checks.check) {
      checks.checkAgain = true;
      return checks.check;
    }
    checks.check = this.run(containerId, checks).finally(() => {
      checks.check = undefined;
      if (checks.checkAgain) {
        checks.checkAgain = false;
        this.schedule(containerId);
      }
    });
    return checks.check;
  }

  /** A check after delayMs, or as soon as the interval since the last one allows; one timer at a time. */
  schedule(containerId: string, delayMs?: number): void {
    const checks = this.checksOf(containerId);
    if (!checks || checks.timer || this.disposed) return;
    const wait = delayMs ?? Math.max(0, checks.lastCheckAt + this.options.intervalMs - Date.now());
    checks.timer = setTimeout(() => {
      checks.timer = undefined;
      void this.check(containerId);
    }, wait);
    checks.timer.unref?.();
  }

  /** Drops a scheduled check (the workspace stopped); one in flight finishes and is ignored. */
  cancel(containerId: string): void {
    const checks = this.checks.get(containerId);
    if (!checks) return;
    clearTimeout(checks.timer);
    checks.timer = undefined;
  }

  /** Runs a pause or stop with no check in flight (waited for, up to a limit) and none starting until it is done. */
  async withoutExecs<T>(containerId: string, action: () => Promise<T>): Promise<T> {
    const checks = this.checksOf(containerId);
    if (!checks) return action();
    checks.holds++;
    try {
      if (checks.check) await Promise.race([checks.check, delay(waitForCheckMs)]);
      return await action();
    } finally {
      checks.holds--;
    }
  }

  forget(containerId: string): void {
    this.cancel(containerId);
    this.checks.delete(containerId);
  }

  dispose(): void {
    this.disposed = true;
    for (const checks of this.checks.values()) clearTimeout(checks.timer);
  }

  /** The check state of a tracked workspace, made on first use; none for a container not tracked. */
  private checksOf(containerId: string): Checks | undefined {
    if (!this.tracked.get(containerId)) return undefined;
    let checks = this.checks.get(containerId);
    if (!checks) this.checks.set(containerId, (checks = { checkAgain: false, holds: 0, lastCheckAt: 0 }));
    return checks;
  }

  /** The disk count of a box with a disk limit, after its process check (see diskUsage.ts). */
  private async checkDisk(containerId: string, startedAt: number): Promise<void> {
    try {
      const findings = await withinCheckTimeout(runDiskCheck(await this.options.connection(), containerId));
      const tracked = this.tracked.get(containerId);
      if (findings === 'timeout')
        this.options.log.warn(`monitor: the disk count of ${tracked?.workspace.name ?? containerId} did not finish in ${processCheckTimeoutMs / 1000} s`);
      else if (findings && tracked && this.tracked.isRunning(containerId)) this.options.apply(tracked.workspace, findings, diskRules, startedAt);
    } catch (err) {
      this.options.log.warn(`monitor: the disk count of ${containerId.slice(0, 12)} failed: ${err instanceof EngineError ? err.message : String(err)}`);
    }
  }

  private async run(containerId: string, checks: Checks): Promise<void> {
    checks.lastCheckAt = Date.now();
    const startedAt = checks.lastCheckAt;
    await this.checkProcesses(containerId, checks, startedAt);
    // On its own: a box at its pids limit, or too busy to answer an exec, can still be full.
    if (this.tracked.get(containerId)?.diskLimitBytes) await this.checkDisk(containerId, startedAt);
  }

  private async checkProcesses(containerId: string, checks: Checks, startedAt: number): Promise<void> {
    const workspace = this.tracked.get(containerId)!.workspace;
    try {
      const connection = await this.options.connection();
      const policy = { level: workspace.level, blockedPorts: this.options.settings().blockedPorts };
      const outcome = await withinCheckTimeout(runProcessChecks(connection, containerId, policy));
      if (outcome === 'timeout') {
        this.options.log.warn(`monitor: process checks of ${workspace.name} did not finish in ${processCheckTimeoutMs / 1000} s; giving up on this one`);
        return;
      }
      // A check that finished after the workspace stopped describes processes that are gone.
      if (this.tracked.isRunning(containerId)) this.options.apply(workspace, outcome.findings, processRules, startedAt);
      if (outcome.snapshot.settling) checks.checkAgain = true;
      this.options.log.trace(`monitor: process checks of ${workspace.name} in ${Date.now() - startedAt} ms`);
    } catch (err) {
      // At its pids limit a workspace cannot start the check; the pids alert covers that.
      this.options.log.trace(`monitor: process checks of ${workspace.name} failed: ${err instanceof EngineError ? err.message : String(err)}`);
    }
  }
}
