import type Docker from 'dockerode';
import { formatBytes } from '../engine/bytes';
import { EngineLog, silentLog } from '../engine/connection';
import { Disposable, Emitter } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { DockerEvent } from '../engine/events';
import { Alert, AlertInput, alertKey, AlertSeverity, AlertStore, PolicyItem } from './alerts';
import { auditContainer, AuditFinding, auditRules } from './audit';
import { engineSocketsOf } from './inspectFacts';
import { FrozenProbe, frozenAlert, frozenRule } from './frozen';
import { ContainerEventRules, defaultEventRuleOptions, EventRuleOptions } from './events';
import { InspectReader } from './inspectReader';
import { processRules, runProcessChecks } from './processChecks';
import { ProtectedPathWatches } from './protectedPaths';
import { EgressRefusals } from './egressRefusals';
import { localHostAddresses } from '../workspace/hostAddresses';
import { labels } from '../workspace/model';
import { MonitoredWorkspace, monitoredWorkspace, MonitorScope } from './scope';
import { BreachResponse, MonitorSettings } from './settings';
import { StatsSnapshot } from './stats';
import { StatsSubscriptions, WorkspaceStats } from './statsStream';
import { averagedSampleRule, initialThresholdState, stepThreshold, ThresholdState } from './thresholds';

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
}

/** A process check that takes longer is abandoned (the engine may be stuck on that container). */
const processCheckTimeoutMs = 10_000;
/** How long a breach response waits for a process check in flight before acting anyway. */
const responseWaitForCheckMs = 3000;

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

export interface BreachResponseRecord {
  alert: Alert;
  action: Exclude<BreachResponse, 'notify'>;
  ok: boolean;
  at: number;
  error?: string;
}

type Metric = 'cpu' | 'memory' | 'pids';
const metrics: Metric[] = ['cpu', 'memory', 'pids'];

type RunState = 'created' | 'running' | 'paused' | 'exited';

interface Tracked {
  workspace: MonitoredWorkspace;
  state: RunState;
  thresholds: Record<Metric, ThresholdState>;
  severity: Partial<Record<Metric, AlertSeverity>>;
  /** Process count the last check was based on, and a new value seen once (needs a second sample). */
  pidsBaseline?: number;
  pidsCandidate?: number;
  /** The process check in flight; a breach response waits for it (see respond()). */
  check?: Promise<void>;
  checkAgain: boolean;
  /** Pauses/stops under way (ours or the UI's, see withoutExecs): no exec may start meanwhile. */
  holds: number;
  lastCheckAt: number;
  checkTimer?: NodeJS.Timeout;
  /** Alert keys already acted on during this run of the container. */
  responded: Set<string>;
}

const size = (bytes: number | undefined): string => (bytes === undefined ? '?' : formatBytes(bytes));
const pct = (value: number | undefined): string => `${Math.round(value ?? 0)} %`;

function metricValue(metric: Metric, snapshot: StatsSnapshot): number | undefined {
  if (metric === 'cpu') return snapshot.cpuPercentOfLimit;
  if (metric === 'memory') return snapshot.memoryPercent;
  return snapshot.pidsPercent;
}

function metricAlert(metric: Metric, snapshot: StatsSnapshot, threshold: number): Pick<AlertInput, 'severity' | 'message' | 'policyItem'> {
  const value = metricValue(metric, snapshot) ?? 0;
  if (metric === 'cpu') {
    const cores = snapshot.cpuLimitCores;
    const quota = cores < snapshot.onlineCpus;
    return {
      policyItem: 'cpu' as PolicyItem,
      severity: 'warning',
      message: `CPU use is at ${pct(value)} of the ${cores} CPU${cores === 1 ? '' : 's'} ${quota ? 'the workspace may use' : 'of the engine'} (threshold ${threshold} %)${quota ? '; it is being throttled' : ''}.`,
    };
  }
  if (metric === 'memory') {
    return {
      policyItem: 'memory',
      severity: value >= 98 ? 'error' : 'warning',
      message: `Memory use is at ${pct(value)} of the ${size(snapshot.memoryLimitBytes)} limit (${size(snapshot.memoryUsedBytes)} without page cache; threshold ${threshold} %)${value >= 98 ? ': the next allocation may be OOM-killed' : ''}.`,
    };
  }
  // Within 5 % of the limit the next few forks fail: that is a workspace in trouble, not a warning.
  const nearLimit = value >= 95;
  return {
    policyItem: 'pids',
    severity: nearLimit ? 'error' : 'warning',
    message: `${snapshot.pids} of ${snapshot.pidsLimit ?? '?'} processes/threads in use (${pct(value)}, threshold ${threshold} %)${nearLimit ? ': new processes are about to fail to start (a fork bomb?)' : ''}.`,
  };
}

/**
 * Security and resource monitoring of one engine's managed workspaces, in plain Node:
 * - resource thresholds on the streamed stats (with sustain and hysteresis),
 * - alert rules on container events (OOM, crashes, restart loops, health),
 * - a configuration audit of each container on create/start and on every (re)connect,
 * - exec-based process and listener checks on start and when the process count changes,
 * - the breach response (`onBreach`) for security_breach and critical alerts.
 * Everything ends up in one AlertStore; the UI renders it, the CLI prints it.
 */
export class SecurityMonitor implements Disposable {
  readonly alerts = new AlertStore();
  readonly stats: StatsSubscriptions;
  private readonly respondEmitter = new Emitter<BreachResponseRecord>();
  readonly onDidRespond = this.respondEmitter.event;

  private readonly tracked = new Map<string, Tracked>();
  private readonly disposables: Disposable[];
  private readonly log: EngineLog;
  private readonly scope: MonitorScope;
  private readonly inspect: InspectReader;
  private readonly eventRules: ContainerEventRules;
  private readonly checkIntervalMs: number;
  private readonly startDelayMs: number;
  private readonly frozenProbe: FrozenProbe;
  private readonly protectedPaths: ProtectedPathWatches;
  private readonly egressRefusals: EgressRefusals;
  private readyPromise: Promise<void>;
  private markReady: () => void = () => {};
  private disposed = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: SecurityMonitorOptions,
  ) {
    this.log = options.log ?? silentLog;
    this.scope = options.scope ?? new MonitorScope();
    this.inspect = new InspectReader(() => engine.connection());
    this.eventRules = new ContainerEventRules(options.eventRules ?? defaultEventRuleOptions);
    this.checkIntervalMs = options.processCheckIntervalMs ?? 2000;
    this.startDelayMs = options.processCheckStartDelayMs ?? 1500;
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    this.stats = new StatsSubscriptions(engine, { scope: this.scope, log: this.log, inspect: this.inspect });
    this.protectedPaths = new ProtectedPathWatches((input) => this.raise(input), this.log);
    const localEngine = (): boolean => ['unix', 'npipe'].includes(engine.target?.spec.scheme ?? '');
    this.egressRefusals = new EgressRefusals(
      () => engine.connection(),
      (input) => this.raise(input),
      this.log,
      () => (localEngine() ? localHostAddresses() : []),
    );
    this.frozenProbe = new FrozenProbe(() => engine.connection(), {
      ...options.frozenProbe,
      stillPaused: (containerId) => this.tracked.get(containerId)?.state === 'paused',
      onFrozen: (containerId) => {
        const tracked = this.tracked.get(containerId);
        if (!tracked) return;
        this.log.error(`monitor: the engine does not answer for ${tracked.workspace.name} since it was paused (frozen exec?)`);
        this.raise(frozenAlert(tracked.workspace, Date.now()));
      },
    });
    this.disposables = [
      this.frozenProbe,
      this.protectedPaths,
      this.egressRefusals,
      this.stats,
      this.alerts,
      this.respondEmitter,
      engine.onNotice((notice) => {
        if (notice.kind !== 'disconnected') void this.resync();
      }),
      engine.onEvent((event) => this.onEngineEvent(event)),
      this.stats.onSample((stats) => this.onSample(stats)),
      this.stats.onDidChange((change) => {
        if (change.kind === 'unsubscribed') this.resetThresholds(change.workspace.containerId);
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
    let rows: Docker.ContainerInfo[];
    try {
      const connection = await this.engine.connection();
      rows = await connection.call('list workspaces (monitor)', (docker) =>
        docker.listContainers({ all: true, filters: JSON.stringify({ label: this.scope.labelFilters }) }),
      );
    } catch (err) {
      this.log.warn(`monitor: cannot list workspaces: ${(err as Error).message}`);
      return;
    }
    if (this.disposed) return;
    const present = new Set(rows.map((row) => row.Id));
    for (const alert of this.alerts.list()) {
      if (!present.has(alert.workspace.containerId)) this.forget(alert.workspace.containerId);
    }
    for (const containerId of [...this.tracked.keys()]) if (!present.has(containerId)) this.forget(containerId);
    await Promise.all(
      rows.map(async (row) => {
        const tracked = this.track(monitoredWorkspace(row.Id, row.Labels, row.Names?.[0]));
        tracked.state = row.State === 'running' ? 'running' : row.State === 'paused' ? 'paused' : row.State === 'created' ? 'created' : 'exited';
        if (tracked.state !== 'running') this.clearRules(row.Id, metrics);
        if (tracked.state === 'paused') this.frozenProbe.afterPause(row.Id);
        await this.audit(row.Id);
        if (tracked.state === 'running') await this.checkProcesses(row.Id);
      }),
    );
    this.markReady();
  }

  /** Runs the process checks of one workspace now (also what the timers call). */
  checkProcesses(containerId: string): Promise<void> {
    const tracked = this.tracked.get(containerId);
    if (!tracked || !this.options.settings().processChecks || tracked.state !== 'running' || tracked.holds > 0) return Promise.resolve();
    if (tracked.check) {
      tracked.checkAgain = true;
      return tracked.check;
    }
    tracked.check = this.runProcessCheck(tracked).finally(() => {
      tracked.check = undefined;
      if (tracked.checkAgain) {
        tracked.checkAgain = false;
        this.scheduleProcessCheck(containerId);
      }
    });
    return tracked.check;
  }

  private async runProcessCheck(tracked: Tracked): Promise<void> {
    const containerId = tracked.workspace.containerId;
    tracked.lastCheckAt = Date.now();
    const startedAt = tracked.lastCheckAt;
    try {
      const connection = await this.engine.connection();
      const check = runProcessChecks(connection, containerId, { level: tracked.workspace.level, blockedPorts: this.options.settings().blockedPorts });
      const outcome = await Promise.race([check, delay(processCheckTimeoutMs).then(() => undefined)]);
      if (!outcome) {
        check.catch(() => undefined);
        this.log.warn(`monitor: process checks of ${tracked.workspace.name} did not finish in ${processCheckTimeoutMs / 1000} s; giving up on this one`);
        return;
      }
      // A check that finished after the workspace stopped describes processes that are gone.
      if (this.tracked.get(containerId)?.state === 'running') this.apply(tracked.workspace, outcome.findings, processRules, startedAt);
      if (outcome.snapshot.settling) tracked.checkAgain = true;
      this.log.trace(`monitor: process checks of ${tracked.workspace.name} in ${Date.now() - startedAt} ms`);
    } catch (err) {
      // At its pids limit a workspace cannot start the check; the pids alert covers that.
      this.log.trace(`monitor: process checks of ${tracked.workspace.name} failed: ${err instanceof EngineError ? err.message : String(err)}`);
    }
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
   * starting until it is done. The UI should pause and stop through this (see respond() for
   * the engine hang it avoids).
   */
  async withoutExecs<T>(containerId: string, action: () => Promise<T>): Promise<T> {
    const tracked = this.tracked.get(containerId);
    if (!tracked) return action();
    tracked.holds++;
    try {
      if (tracked.check) await Promise.race([tracked.check, delay(responseWaitForCheckMs)]);
      return await action();
    } finally {
      tracked.holds--;
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const tracked of this.tracked.values()) clearTimeout(tracked.checkTimer);
    this.disposables.forEach((disposable) => disposable.dispose());
  }

  private track(workspace: MonitoredWorkspace): Tracked {
    let tracked = this.tracked.get(workspace.containerId);
    if (!tracked) {
      tracked = {
        workspace,
        state: 'created',
        thresholds: { cpu: initialThresholdState, memory: initialThresholdState, pids: initialThresholdState },
        severity: {},
        checkAgain: false,
        holds: 0,
        lastCheckAt: 0,
        responded: new Set(),
      };
      this.tracked.set(workspace.containerId, tracked);
    }
    return tracked;
  }

  private forget(containerId: string): void {
    const tracked = this.tracked.get(containerId);
    if (tracked) clearTimeout(tracked.checkTimer);
    this.frozenProbe.cancel(containerId);
    this.protectedPaths.stop(containerId);
    this.egressRefusals.stop(containerId);
    this.tracked.delete(containerId);
    this.alerts.clearWorkspace(containerId);
  }

  private onEngineEvent(event: DockerEvent): void {
    if (event.Type !== 'container' || !this.scope.includes(event.Actor.Attributes)) return;
    const containerId = event.Actor.ID;
    const workspace = monitoredWorkspace(containerId, event.Actor.Attributes, event.Actor.Attributes.name);
    const at = event.timeNano / 1e6;
    if (event.Action === 'destroy') {
      this.eventRules.onEvent(event);
      this.forget(containerId);
      return;
    }
    const tracked = this.track(workspace);
    const outcome = this.eventRules.onEvent(event);
    switch (event.Action) {
      case 'create':
        tracked.state = 'created';
        void this.audit(containerId, at);
        break;
      case 'start':
        tracked.state = 'running';
        tracked.responded.clear();
        tracked.pidsBaseline = undefined;
        // Audit first: if it calls for a pause or stop, no exec may be under way (see respond()).
        void this.audit(containerId, at).then(() => this.scheduleProcessCheck(containerId, this.startDelayMs));
        break;
      case 'unpause':
        tracked.state = 'running';
        this.clearRules(containerId, [frozenRule]);
        break;
      case 'pause':
        tracked.state = 'paused';
        this.clearRules(containerId, metrics);
        this.frozenProbe.afterPause(containerId);
        break;
      case 'die':
      case 'stop':
        tracked.state = 'exited';
        clearTimeout(tracked.checkTimer);
        tracked.checkTimer = undefined;
        this.clearRules(containerId, [...metrics, ...processRules, frozenRule]);
        this.protectedPaths.stop(containerId);
        this.egressRefusals.stop(containerId);
        break;
    }
    for (const rule of outcome.clear) this.alerts.clear(alertKey(containerId, rule));
    for (const raised of outcome.raise) this.raise({ ...raised, workspace });
  }

  private onSample({ workspace, snapshot }: WorkspaceStats): void {
    const tracked = this.track(workspace);
    const settings = this.options.settings();
    const thresholds: Record<Metric, number> = { cpu: settings.cpuPercent, memory: settings.memoryPercent, pids: settings.pidsPercent };
    for (const metric of metrics) {
      const rule = { ...settings.sustain, threshold: thresholds[metric] };
      const step = stepThreshold(
        tracked.thresholds[metric],
        metricValue(metric, snapshot),
        snapshot.readAt,
        metric === 'cpu' ? averagedSampleRule(rule) : rule,
      );
      tracked.thresholds[metric] = step.state;
      if (step.transition?.kind === 'clear') {
        tracked.severity[metric] = undefined;
        this.alerts.clear(alertKey(workspace.containerId, metric));
      } else if (step.state.active) {
        const described = metricAlert(metric, snapshot, thresholds[metric]);
        // Raise on the transition; afterwards only when the severity changes, not every second.
        if (step.transition?.kind === 'raise' || described.severity !== tracked.severity[metric]) {
          tracked.severity[metric] = described.severity;
          this.raise({ workspace, rule: metric, type: 'resource_violation', conditionAt: step.state.conditionAt ?? snapshot.readAt, ...described });
        }
      }
    }
    this.noticePidsChange(tracked, snapshot.pids);
  }

  /** A new process count seen on two samples in a row triggers a process check (see processChecks.ts). */
  private noticePidsChange(tracked: Tracked, pids: number): void {
    if (tracked.pidsBaseline === undefined) {
      tracked.pidsBaseline = pids;
      return;
    }
    if (pids === tracked.pidsBaseline) {
      tracked.pidsCandidate = undefined;
    } else if (pids === tracked.pidsCandidate) {
      tracked.pidsBaseline = pids;
      tracked.pidsCandidate = undefined;
      this.scheduleProcessCheck(tracked.workspace.containerId);
    } else {
      tracked.pidsCandidate = pids;
    }
  }

  private scheduleProcessCheck(containerId: string, delayMs?: number): void {
    const tracked = this.tracked.get(containerId);
    if (!tracked || tracked.checkTimer || this.disposed) return;
    const wait = delayMs ?? Math.max(0, tracked.lastCheckAt + this.checkIntervalMs - Date.now());
    tracked.checkTimer = setTimeout(() => {
      tracked.checkTimer = undefined;
      void this.checkProcesses(containerId);
    }, wait);
    tracked.checkTimer.unref?.();
  }

  private resetThresholds(containerId: string): void {
    const tracked = this.tracked.get(containerId);
    if (!tracked) return;
    tracked.thresholds = { cpu: initialThresholdState, memory: initialThresholdState, pids: initialThresholdState };
    tracked.severity = {};
    tracked.pidsBaseline = undefined;
    tracked.pidsCandidate = undefined;
  }

  private clearRules(containerId: string, rules: readonly string[]): void {
    for (const rule of rules) this.alerts.clear(alertKey(containerId, rule));
    if (rules.includes('cpu')) this.resetThresholds(containerId);
  }

  /** The configuration audit of one container; conditionAt defaults to when it started (or was created). */
  private async audit(containerId: string, conditionAt?: number): Promise<void> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.inspect.read(containerId);
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'notFound') this.forget(containerId);
      else this.log.warn(`monitor: cannot inspect ${containerId.slice(0, 12)}: ${(err as Error).message}`);
      return;
    }
    if (this.disposed || !this.scope.includes(info.Config?.Labels ?? {})) return;
    const tracked = this.tracked.get(containerId);
    if (!tracked) return; // destroyed while we read it
    // The run state comes from events and lists only: this inspect may predate the latest event.
    const settings = this.options.settings();
    const findings = auditContainer(info, {
      level: tracked.workspace.level,
      blockedPorts: settings.blockedPorts,
      engineSockets: engineSocketsOf(this.engine.target),
      allowEngineSocket: settings.allowEngineSocket,
    });
    const since = conditionAt ?? (info.State?.Running ? Date.parse(info.State.StartedAt) : Date.parse(info.Created));
    this.apply(tracked.workspace, findings, auditRules, since);
    const localEngine = ['unix', 'npipe'].includes(this.engine.target?.spec.scheme ?? '');
    this.protectedPaths.update(tracked.workspace, info, { running: tracked.state === 'running', localEngine, protectedPaths: settings.protectedPaths });
    // Refusals are reported while the box runs (its gateway runs longer, but nothing else talks through it).
    if (tracked.state === 'running')
      this.egressRefusals.follow(tracked.workspace, info.Config?.Labels?.[labels.egress], Date.parse(info.State?.StartedAt ?? ''));
    else this.egressRefusals.stop(containerId);
  }

  /** Raises what a rule family found and clears the rules of that family that found nothing. */
  private apply(workspace: MonitoredWorkspace, findings: AuditFinding[], family: readonly string[], conditionAt: number): void {
    const found = new Set(findings.map((finding) => finding.rule));
    for (const rule of family) if (!found.has(rule)) this.alerts.clear(alertKey(workspace.containerId, rule));
    for (const finding of findings) this.raise({ ...finding, workspace, conditionAt });
  }

  private raise(input: AlertInput): void {
    const { alert } = this.alerts.raise(input);
    void this.respond(alert);
  }

  /**
   * The breach response: once per alert per run of the container, only while it runs.
   * It never overlaps an exec of ours: on this engine (Docker 20.10, runc 1.1, cgroup v1) an
   * exec that starts while the container is being frozen hangs in `runc init`, and dockerd
   * then holds the container's lock — inspect, unpause and even `rm -f` hang until the cgroup
   * is thawed by hand. So the response waits for a check in flight, and none starts meanwhile.
   */
  private async respond(alert: Alert): Promise<void> {
    if (alert.accepted || (alert.type !== 'security_breach' && alert.severity !== 'critical')) return;
    const action = this.options.settings().onBreach;
    if (action === 'notify') return;
    const tracked = this.tracked.get(alert.workspace.containerId);
    if (!tracked || tracked.state !== 'running' || tracked.responded.has(alert.key)) return;
    tracked.responded.add(alert.key);
    const name = alert.workspace.name;
    const record: BreachResponseRecord = { alert, action, ok: true, at: Date.now() };
    try {
      await this.withoutExecs(alert.workspace.containerId, async () => {
        this.log.warn(`breach response: ${action} workspace ${name} for ${alert.type}/${alert.severity} (${alert.policyItem}): ${alert.message}`);
        const connection = await this.engine.connection();
        const container = connection.untimed.getContainer(alert.workspace.containerId);
        await connection.call(`${action} ${name} (breach response)`, () => (action === 'pause' ? container.pause() : container.stop()));
        tracked.state = action === 'pause' ? 'paused' : 'exited';
      });
      this.log.warn(`breach response: ${action} of ${name} done`);
    } catch (err) {
      record.ok = false;
      record.error = err instanceof Error ? err.message : String(err);
      this.log.error(`breach response: ${action} of ${name} failed: ${record.error}`);
    }
    record.at = Date.now();
    this.respondEmitter.fire(record);
  }
}
