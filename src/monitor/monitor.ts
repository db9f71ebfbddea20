import { MonitorAuditFeed } from '../audit/monitorFeed';
import { AuditSink } from '../audit/sink';
import { EngineLog, silentLog } from '../engine/connection';
import { Disposable } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { AlertInput, alertKey, AlertStore } from './alerts';
import { BreachResponder } from './breachResponse';
import { ContainerAudit } from './containerAudit';
import { ContainerEventRules, defaultEventRuleOptions, EventRuleOptions } from './events';
import { FrozenProbe, frozenAlert, frozenRule } from './frozen';
import { InspectReader } from './inspectReader';
import { MonitorLifecycle } from './lifecycle';
import { ProcessCheckScheduler } from './processScheduler';
import { MonitorRules } from './rules';
import { MonitorScope } from './scope';
import { MonitorSettings } from './settings';
import { StatsSubscriptions } from './statsStream';
import { TrackedWorkspaces } from './tracking';

export type { BreachResponseRecord } from './breachResponse';

export interface SecurityMonitorOptions {
  /** Read on every decision, so a settings change applies to the next sample. */
  settings: () => MonitorSettings;
  log?: EngineLog;
  /** Narrows which managed containers are watched (tests: their own run). */
  scope?: MonitorScope;
  eventRules?: EventRuleOptions;
  /** Least time between two process checks of one workspace. */
  processCheckIntervalMs?: number;
  /** Wait after a start before the first process check (the entrypoint is still spawning). */
  processCheckStartDelayMs?: number;
  /** The look for a workspace frozen half-way after a pause (see frozen.ts). */
  frozenProbe?: { delayMs?: number; timeoutMs?: number };
  /** Where alerts raised and cleared, breach responses and refused egress attempts are recorded (none: not recorded). */
  audit?: AuditSink;
}

/**
 * Security and resource monitoring of one engine's managed workspaces, in plain Node; this
 * class builds the parts and is what the UI, the CLI and the tests hold:
 * - MonitorLifecycle (lifecycle.ts): which containers are watched, from lists and events,
 * - MonitorRules (rules.ts): resource thresholds on the streamed stats (with sustain and
 *   hysteresis), the findings of the audit and the process checks,
 * - ContainerEventRules (events.ts): alert rules on container events (OOM, crashes, restart loops, health),
 * - ContainerAudit (containerAudit.ts): the configuration audit of each container on
 *   create/start and on every (re)connect, and the watches it starts,
 * - ProcessCheckScheduler (processScheduler.ts): exec-based process and listener checks on
 *   start and when the process count changes,
 * - BreachResponder (breachResponse.ts): the breach response (`onBreach`) for security_breach and critical alerts.
 * Everything ends up in one AlertStore; the UI renders it, the CLI prints it.
 */
export class SecurityMonitor implements Disposable {
  readonly alerts = new AlertStore();
  readonly stats: StatsSubscriptions;
  readonly onDidRespond: BreachResponder['onDidRespond'];

  private readonly tracked = new TrackedWorkspaces();
  private readonly disposables: Disposable[];
  private readonly log: EngineLog;
  private readonly scheduler: ProcessCheckScheduler;
  private readonly responder: BreachResponder;
  private readonly frozenProbe: FrozenProbe;
  private readonly lifecycle: MonitorLifecycle;
  private readyPromise: Promise<void>;
  private markReady: () => void = () => {};

  constructor(engine: Engine, options: SecurityMonitorOptions) {
    const { settings } = options;
    const connection = () => engine.connection();
    const raise = (input: AlertInput): void => this.raise(input);
    const log = (this.log = options.log ?? silentLog);
    const scope = options.scope ?? new MonitorScope();
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    const inspect = new InspectReader(connection);
    this.stats = new StatsSubscriptions(engine, { scope, log, inspect });
    const rules = new MonitorRules(this.alerts, raise, settings);
    const apply = rules.apply.bind(rules);
    const intervalMs = options.processCheckIntervalMs ?? 2000;
    this.scheduler = new ProcessCheckScheduler(this.tracked, { connection, settings, log, intervalMs, apply });
    const withoutExecs = this.withoutExecs.bind(this);
    this.responder = new BreachResponder(this.tracked, { connection, settings, log, withoutExecs });
    this.onDidRespond = this.responder.onDidRespond;
    const audit = options.audit && new MonitorAuditFeed(options.audit, { alerts: this.alerts.onDidChange, responses: this.onDidRespond });
    const onRefused = audit && audit.refused.bind(audit);
    const onGone = (containerId: string): void => this.lifecycle.forget(containerId);
    const containerAudit = new ContainerAudit(engine, this.tracked, rules, { inspect, scope, settings, log, raise, onGone, onRefused });
    this.frozenProbe = new FrozenProbe(connection, {
      ...options.frozenProbe,
      stillPaused: (containerId) => this.tracked.get(containerId)?.state === 'paused',
      onFrozen: (containerId) => this.onFrozen(containerId),
    });
    const eventRules = new ContainerEventRules(options.eventRules ?? defaultEventRuleOptions);
    const startDelayMs = options.processCheckStartDelayMs ?? 1500;
    const { tracked, alerts, scheduler, responder, frozenProbe } = this;
    this.lifecycle = new MonitorLifecycle({
      engine,
      tracked,
      alerts,
      scope,
      log,
      eventRules,
      rules,
      scheduler,
      responder,
      containerAudit,
      frozenProbe,
      raise,
      startDelayMs,
    });
    this.disposables = [
      ...(audit ? [audit] : []),
      this.lifecycle,
      this.scheduler,
      this.frozenProbe,
      containerAudit,
      this.stats,
      this.alerts,
      this.responder,
      engine.onNotice((notice) => {
        if (notice.kind !== 'disconnected') void this.resync();
      }),
      engine.onEvent((event) => this.lifecycle.onEngineEvent(event)),
      this.stats.onSample((stats) => this.lifecycle.onSample(stats)),
      this.stats.onDidChange((change) => {
        if (change.kind === 'unsubscribed') rules.resetThresholds(change.workspace.containerId);
      }),
    ];
    if (engine.state.kind === 'connected') void this.resync();
  }

  /** Resolves once every watched container has been audited (and process-checked) after the first connect. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Audits every watched container again and drops alerts of containers that are gone. */
  async resync(): Promise<void> {
    if (await this.lifecycle.resync()) this.markReady();
  }

  /** Runs the process checks of one workspace now (also what the timers call). */
  checkProcesses(containerId: string): Promise<void> {
    return this.scheduler.check(containerId);
  }

  /**
   * Whether a workspace raised as frozen (see frozen.ts) still is: its inspect is tried again,
   * and the alert is dropped when it answers (the user ran the unfreeze command meanwhile).
   */
  async stillFrozen(containerId: string): Promise<boolean> {
    const key = alertKey(containerId, frozenRule);
    if (!this.alerts.get(key)) return false;
    if (await this.frozenProbe.inspectAnswers(containerId)) {
      this.alerts.clear(key);
      return false;
    }
    return true;
  }

  /**
   * Runs a pause or stop of a workspace with no exec of the monitor's in flight, and none
   * starting until it is done. The UI should pause and stop through this (see
   * BreachResponder.respond for the engine hang it avoids).
   */
  withoutExecs<T>(containerId: string, action: () => Promise<T>): Promise<T> {
    return this.scheduler.withoutExecs(containerId, action);
  }

  dispose(): void {
    this.disposables.forEach((disposable) => disposable.dispose());
  }

  private onFrozen(containerId: string): void {
    const tracked = this.tracked.get(containerId);
    if (!tracked) return;
    this.log.error(`monitor: the engine does not answer for ${tracked.workspace.name} since it was paused (frozen exec?)`);
    this.raise(frozenAlert(tracked.workspace, Date.now()));
  }

  private raise(input: AlertInput): void {
    const { alert } = this.alerts.raise(input);
    void this.responder.respond(alert);
  }
}
