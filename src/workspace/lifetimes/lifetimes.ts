import { asActor, AuditSink, auditWorkspace, errorText } from '../../audit/sink';
import { EngineLog, silentLog } from '../../engine/connection';
import { Disposable, Emitter } from '../../engine/emitter';
import { DockerEvent } from '../../engine/events';
import { MonitoredWorkspace, monitoredWorkspace, MonitorScope } from '../../monitor/scope';
import { LifetimeClock, systemClock } from './clock';
import { LifetimeSettings } from './rules';
import { execIdOf, execStartCommand, isOwnExec } from './sessions';
import { LifetimeSource } from './source';
import { LifetimeWarning, WithdrawReason, WorkspaceLifetime } from './workspaceLifetime';

export type { LifetimeWarning, WithdrawReason } from './workspaceLifetime';

export interface WorkspaceLifetimesOptions {
  /** Read on every decision; call refresh() when they change. */
  settings: () => LifetimeSettings;
  /** Where Keep Running is recorded (the stops are recorded by the service). */
  audit?: AuditSink;
  clock?: LifetimeClock;
  log?: EngineLog;
  /** Which managed containers count (tests: their own run); the source lists the same. */
  scope?: MonitorScope;
}

export interface LifetimeStop {
  warning: LifetimeWarning;
  /** lifetime: the notice ran out; user: Stop Now. */
  by: 'lifetime' | 'user';
  error?: string;
}

interface Tracked {
  lifetime: WorkspaceLifetime;
  healthCheck?: string;
}

/** What a stop records (with workspace.stop): why, and the numbers behind it. */
export function stopReason(warning: LifetimeWarning, now: number): Record<string, unknown> {
  const span = now - warning.since;
  return { reason: `lifetime.${warning.rule}`, limitMs: warning.limitMs, ...(warning.rule === 'idleStop' ? { idleForMs: span } : { ageMs: span }) };
}

/**
 * The lifetimes (aicli.lifetime.idleStop, aicli.lifetime.maxAge; rules.ts) of one engine's
 * running workspaces: a WorkspaceLifetime for each, fed by the engine's events (start, pause,
 * unpause, die; exec_start / exec_die for the sessions) and the monitor's stats samples. A
 * front end shows onWarning (and answers with keep or stopNow); when a notice runs out the
 * workspace is stopped through the service, recorded with its reason, as the monitor's act.
 * Costs nothing while both settings are off.
 */
export class WorkspaceLifetimes implements Disposable {
  private readonly tracked = new Map<string, Tracked>();
  /** Containers whose facts are being read (a die meanwhile drops them). */
  private readonly pending = new Set<string>();
  private readonly warningEmitter = new Emitter<LifetimeWarning>();
  private readonly withdrawEmitter = new Emitter<{ warning: LifetimeWarning; reason: WithdrawReason }>();
  private readonly stopEmitter = new Emitter<LifetimeStop>();
  private readonly subscriptions: Disposable[];
  private readonly clock: LifetimeClock;
  private readonly log: EngineLog;
  private readonly scope: MonitorScope;
  private readonly audit: AuditSink;
  private enabled = false;
  private disposed = false;

  readonly onWarning = this.warningEmitter.event;
  readonly onWithdrawn = this.withdrawEmitter.event;
  readonly onStopped = this.stopEmitter.event;

  constructor(
    private readonly source: LifetimeSource,
    private readonly options: WorkspaceLifetimesOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    this.scope = options.scope ?? new MonitorScope();
    this.audit = options.audit ?? AuditSink.none;
    this.subscriptions = [
      source.engine.onEvent((event) => this.onEvent(event)),
      source.engine.onNotice((notice) => (notice.kind === 'disconnected' ? this.untrackAll() : void this.resync())),
      source.onSample((stats) => this.tracked.get(stats.workspace.containerId)?.lifetime.cpuSample(stats.snapshot.cpuPercent)),
    ];
    this.refresh();
  }

  /** The notices out now. */
  get warnings(): LifetimeWarning[] {
    return [...this.tracked.values()].flatMap(({ lifetime }) => (lifetime.warning ? [lifetime.warning] : []));
  }

  /** The settings changed: every workspace is judged again (started or dropped when they turn on or off). */
  refresh(): void {
    const settings = this.options.settings();
    const enabled = !!(settings.idleStopMs || settings.maxAgeMs);
    this.tracked.forEach(({ lifetime }) => lifetime.evaluate());
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (!enabled) this.untrackAll();
    else if (this.source.engine.state.kind === 'connected') void this.resync();
  }

  /** Keep Running: postpones the announced stop by the whole limit, recorded (lifetime.kept). */
  keep(containerId: string): LifetimeWarning | undefined {
    const warning = this.tracked.get(containerId)?.lifetime.keep();
    if (warning)
      this.audit.record({ type: 'lifetime.kept', workspace: auditWorkspace(warning.workspace), rule: warning.rule, ...stopReason(warning, this.clock.now()) });
    return warning;
  }

  /** Stop Now on a notice: stopped at once, as the person's act. */
  async stopNow(containerId: string): Promise<void> {
    const tracked = this.tracked.get(containerId);
    const warning = tracked?.lifetime.stopNow();
    if (tracked && warning) await this.stop(tracked.lifetime, warning, 'user');
  }

  /** Lists the running workspaces and tracks those not tracked yet (on connect, and when a setting turns on). */
  async resync(): Promise<void> {
    if (!this.enabled || this.disposed) return;
    // Only what was tracked before the list was asked for can be missing from it: a start heard meanwhile stands.
    const before = new Map(this.tracked);
    let running: MonitoredWorkspace[];
    try {
      running = await this.source.running();
    } catch (err) {
      this.log.warn(`lifetimes: cannot list the running workspaces: ${errorText(err)}`);
      return;
    }
    const ids = new Set(running.map((workspace) => workspace.containerId));
    for (const [containerId, tracked] of before) if (!ids.has(containerId) && this.tracked.get(containerId) === tracked) this.untrack(containerId);
    await Promise.all(running.filter((workspace) => !this.tracked.has(workspace.containerId)).map((workspace) => this.trackFromFacts(workspace)));
  }

  dispose(): void {
    this.disposed = true;
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.untrackAll();
    this.warningEmitter.dispose();
    this.withdrawEmitter.dispose();
    this.stopEmitter.dispose();
  }

  private onEvent(event: DockerEvent): void {
    if (!this.enabled || event.Type !== 'container' || !this.scope.includes(event.Actor.Attributes)) return;
    const containerId = event.Actor.ID;
    const tracked = this.tracked.get(containerId);
    const command = execStartCommand(event);
    if (command !== undefined) {
      const execId = execIdOf(event);
      if (tracked && execId && !isOwnExec(command, tracked.healthCheck)) tracked.lifetime.sessionStarted(execId);
    } else if (event.Action === 'exec_die') {
      const execId = execIdOf(event);
      if (execId) tracked?.lifetime.sessionEnded(execId);
    } else if (event.Action === 'start') {
      // A restart is a die and a start: a new run, so a new lifetime (its facts: the health check).
      this.untrack(containerId);
      const workspace = monitoredWorkspace(containerId, event.Actor.Attributes, event.Actor.Attributes.name);
      const started = this.track(workspace, this.clock.now());
      void this.source.facts(containerId).then(
        (facts) => {
          if (this.tracked.get(containerId) !== started) return; // gone (or started again) meanwhile
          started.healthCheck = facts.healthCheck;
          facts.openExecs.forEach((execId) => started.lifetime.sessionStarted(execId));
        },
        (err) => this.log.trace(`lifetimes: cannot inspect ${workspace.name}: ${errorText(err)}`),
      );
    } else if (event.Action === 'pause') tracked?.lifetime.setPaused(true);
    else if (event.Action === 'unpause') {
      if (tracked) tracked.lifetime.setPaused(false);
      else void this.trackFromFacts(monitoredWorkspace(containerId, event.Actor.Attributes, event.Actor.Attributes.name));
    } else if (event.Action === 'die' || event.Action === 'stop' || event.Action === 'destroy') this.untrack(containerId);
  }

  private async trackFromFacts(workspace: MonitoredWorkspace): Promise<void> {
    const containerId = workspace.containerId;
    if (this.pending.has(containerId)) return;
    this.pending.add(containerId);
    try {
      const facts = await this.source.facts(containerId);
      if (!facts.running || !this.pending.has(containerId) || this.tracked.has(containerId) || !this.enabled || this.disposed) return;
      const tracked = this.track(workspace, facts.startedAt, facts.healthCheck);
      facts.openExecs.forEach((execId) => tracked.lifetime.sessionStarted(execId));
      if (facts.paused) tracked.lifetime.setPaused(true);
      tracked.lifetime.evaluate();
    } catch (err) {
      this.log.trace(`lifetimes: cannot inspect ${workspace.name}: ${errorText(err)}`);
    } finally {
      this.pending.delete(containerId);
    }
  }

  private track(workspace: MonitoredWorkspace, startedAt: number, healthCheck?: string): Tracked {
    const lifetime: WorkspaceLifetime = new WorkspaceLifetime(workspace, startedAt, this.clock, {
      settings: this.options.settings,
      warn: (warning) => {
        this.log.info(`lifetimes: ${workspace.name} is due for ${warning.rule}; stopping it at ${new Date(warning.stopAt).toISOString()}`);
        this.warningEmitter.fire(warning);
      },
      withdraw: (warning, reason) => this.withdrawEmitter.fire({ warning, reason }),
      stop: (warning) => void this.stop(lifetime, warning, 'lifetime'),
    });
    const tracked: Tracked = { lifetime, healthCheck };
    this.tracked.set(workspace.containerId, tracked);
    lifetime.evaluate();
    return tracked;
  }

  private async stop(lifetime: WorkspaceLifetime, warning: LifetimeWarning, by: LifetimeStop['by']): Promise<void> {
    const because = stopReason(warning, this.clock.now());
    const stop = (): Promise<void> => this.source.stop(warning.workspace.containerId, because);
    try {
      // The notice running out is the monitor's act; Stop Now is the person's (the front end's actor).
      await (by === 'lifetime' ? asActor('monitor', stop) : stop());
      this.log.info(`lifetimes: stopped ${warning.workspace.name} (${String(because.reason)})`);
      this.stopEmitter.fire({ warning, by });
    } catch (err) {
      this.log.warn(`lifetimes: could not stop ${warning.workspace.name}: ${errorText(err)}`);
      if (this.tracked.get(warning.workspace.containerId)?.lifetime === lifetime) lifetime.stopFailed(warning.rule);
      this.stopEmitter.fire({ warning, by, error: errorText(err) });
    }
  }

  private untrack(containerId: string): void {
    this.pending.delete(containerId);
    const tracked = this.tracked.get(containerId);
    if (!tracked) return;
    this.tracked.delete(containerId);
    tracked.lifetime.dispose();
  }

  private untrackAll(): void {
    for (const containerId of [...this.tracked.keys(), ...this.pending]) this.untrack(containerId);
  }
}
