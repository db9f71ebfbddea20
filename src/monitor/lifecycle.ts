import { EngineLog } from '../engine/connection';
import { listContainers } from '../engine/containers';
import { Engine } from '../engine/engine';
import { DockerEvent } from '../engine/events';
import { ContainerInfo } from '../engine/types';
import { AlertInput, alertKey, AlertStore } from './alerts';
import { BreachResponder } from './breachResponse';
import { ContainerAudit } from './containerAudit';
import { ContainerEventRules } from './events';
import { FrozenProbe, frozenRule } from './frozen';
import { processRules } from './processChecks';
import { ProcessCheckScheduler } from './processScheduler';
import { metrics, MonitorRules } from './rules';
import { monitoredWorkspace, MonitorScope } from './scope';
import { WorkspaceStats } from './statsStream';
import { runStateOf, TrackedWorkspaces } from './tracking';

/** The monitor's parts, as SecurityMonitor builds them. */
export interface MonitorParts {
  engine: Engine;
  tracked: TrackedWorkspaces;
  alerts: AlertStore;
  scope: MonitorScope;
  log: EngineLog;
  eventRules: ContainerEventRules;
  rules: MonitorRules;
  scheduler: ProcessCheckScheduler;
  responder: BreachResponder;
  containerAudit: ContainerAudit;
  frozenProbe: FrozenProbe;
  raise: (input: AlertInput) => void;
  /** Wait after a start before the first process check (the entrypoint is still spawning). */
  startDelayMs: number;
}

/**
 * Which containers are watched and in what state, from the engine's list (on every
 * (re)connect) and its container events, and what each change means for the parts:
 * audit, schedule or cancel process checks, clear rules made moot, forget the gone.
 */
export class MonitorLifecycle {
  private disposed = false;

  constructor(private readonly parts: MonitorParts) {}

  /** Audits every watched container again and forgets those that are gone; false when the list failed. */
  async resync(): Promise<boolean> {
    const { engine, scope, alerts, tracked } = this.parts;
    let rows: ContainerInfo[];
    try {
      rows = await listContainers(await engine.connection(), scope.containerQuery(), 'list workspaces (monitor)');
    } catch (err) {
      this.parts.log.warn(`monitor: cannot list workspaces: ${(err as Error).message}`);
      return false;
    }
    if (this.disposed) return false;
    const present = new Set(rows.map((row) => row.Id));
    for (const alert of alerts.list()) {
      if (!present.has(alert.workspace.containerId)) this.forget(alert.workspace.containerId);
    }
    for (const containerId of tracked.ids()) if (!present.has(containerId)) this.forget(containerId);
    await Promise.all(rows.map((row) => this.resyncOne(row)));
    return true;
  }

  onEngineEvent(event: DockerEvent): void {
    if (event.Type !== 'container' || !this.parts.scope.includes(event.Actor.Attributes)) return;
    const containerId = event.Actor.ID;
    const workspace = monitoredWorkspace(containerId, event.Actor.Attributes, event.Actor.Attributes.name);
    if (event.Action === 'destroy') {
      this.parts.eventRules.onEvent(event);
      this.forget(containerId);
      return;
    }
    this.parts.tracked.track(workspace);
    const outcome = this.parts.eventRules.onEvent(event);
    this.onStateEvent(containerId, event.Action, event.timeNano / 1e6);
    for (const rule of outcome.clear) this.parts.alerts.clear(alertKey(containerId, rule));
    for (const raised of outcome.raise) this.parts.raise({ ...raised, workspace });
  }

  onSample({ workspace, snapshot }: WorkspaceStats): void {
    this.parts.tracked.track(workspace);
    if (this.parts.rules.onSample(workspace, snapshot)) this.parts.scheduler.schedule(workspace.containerId);
  }

  /** Drops everything about a container: it is gone (destroyed, or no longer listed). */
  forget(containerId: string): void {
    const { scheduler, frozenProbe, containerAudit, rules, responder, tracked, alerts } = this.parts;
    scheduler.forget(containerId);
    frozenProbe.cancel(containerId);
    containerAudit.stop(containerId);
    rules.forget(containerId);
    responder.forget(containerId);
    tracked.delete(containerId);
    alerts.clearWorkspace(containerId);
  }

  dispose(): void {
    this.disposed = true;
  }

  private async resyncOne(row: ContainerInfo): Promise<void> {
    const tracked = this.parts.tracked.track(monitoredWorkspace(row.Id, row.Labels, row.Names?.[0]));
    tracked.state = runStateOf(row.State);
    if (tracked.state !== 'running') this.parts.rules.clear(row.Id, metrics);
    if (tracked.state === 'paused') this.parts.frozenProbe.afterPause(row.Id);
    await this.parts.containerAudit.audit(row.Id);
    if (tracked.state === 'running') await this.parts.scheduler.check(row.Id);
  }

  /** A container event that changes the run state; `at` is when it happened. */
  private onStateEvent(containerId: string, action: string, at: number): void {
    const { rules, scheduler, containerAudit, responder, frozenProbe } = this.parts;
    const tracked = this.parts.tracked.get(containerId)!;
    switch (action) {
      case 'create':
        tracked.state = 'created';
        void containerAudit.audit(containerId, at);
        break;
      case 'start':
        tracked.state = 'running';
        responder.started(containerId);
        rules.started(containerId);
        // Audit first: if it calls for a pause or stop, no exec may be under way (see BreachResponder.respond).
        void containerAudit.audit(containerId, at).then(() => scheduler.schedule(containerId, this.parts.startDelayMs));
        break;
      case 'unpause':
        tracked.state = 'running';
        rules.clear(containerId, [frozenRule]);
        break;
      case 'pause':
        tracked.state = 'paused';
        rules.clear(containerId, metrics);
        frozenProbe.afterPause(containerId);
        break;
      case 'die':
      case 'stop':
        tracked.state = 'exited';
        scheduler.cancel(containerId);
        rules.clear(containerId, [...metrics, ...processRules, frozenRule]);
        containerAudit.stop(containerId);
        break;
    }
  }
}
