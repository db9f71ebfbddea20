import { EngineConnection, EngineLog } from '../engine/connection';
import { pauseContainer, stopContainer } from '../engine/containers';
import { Disposable, Emitter } from '../engine/emitter';
import { Alert } from './alerts';
import { BreachResponse, MonitorSettings } from './settings';
import { TrackedWorkspaces } from './tracking';

export interface BreachResponseRecord {
  alert: Alert;
  action: Exclude<BreachResponse, 'notify'>;
  ok: boolean;
  at: number;
  error?: string;
}

export interface BreachResponderOptions {
  connection: () => Promise<EngineConnection>;
  settings: () => MonitorSettings;
  log: EngineLog;
  /** Runs the pause or stop with no exec of the monitor's in flight (ProcessCheckScheduler.withoutExecs). */
  withoutExecs: <T>(containerId: string, action: () => Promise<T>) => Promise<T>;
}

/**
 * The breach response (settings.onBreach) to security_breach and critical alerts: once per
 * alert per run of the container, only while it runs, reported on onDidRespond.
 */
export class BreachResponder implements Disposable {
  private readonly emitter = new Emitter<BreachResponseRecord>();
  readonly onDidRespond = this.emitter.event;
  /** Alert keys already acted on during the current run of each container. */
  private readonly responded = new Map<string, Set<string>>();

  constructor(
    private readonly tracked: TrackedWorkspaces,
    private readonly options: BreachResponderOptions,
  ) {}

  /**
   * It never overlaps an exec of ours: on this engine (Docker 20.10, runc 1.1, cgroup v1) an
   * exec that starts while the container is being frozen hangs in `runc init`, and dockerd
   * then holds the container's lock — inspect, unpause and even `rm -f` hang until the cgroup
   * is thawed by hand. So the response waits for a check in flight, and none starts meanwhile.
   */
  async respond(alert: Alert): Promise<void> {
    if (alert.accepted || (alert.type !== 'security_breach' && alert.severity !== 'critical')) return;
    const action = this.options.settings().onBreach;
    if (action === 'notify') return;
    const containerId = alert.workspace.containerId;
    const tracked = this.tracked.get(containerId);
    if (!tracked || tracked.state !== 'running' || this.respondedIn(containerId).has(alert.key)) return;
    this.respondedIn(containerId).add(alert.key);
    const name = alert.workspace.name;
    const record: BreachResponseRecord = { alert, action, ok: true, at: Date.now() };
    try {
      await this.options.withoutExecs(containerId, async () => {
        this.options.log.warn(`breach response: ${action} workspace ${name} for ${alert.type}/${alert.severity} (${alert.policyItem}): ${alert.message}`);
        const connection = await this.options.connection();
        const what = `${action} ${name} (breach response)`;
        await (action === 'pause' ? pauseContainer(connection, containerId, what) : stopContainer(connection, containerId, {}, what));
        tracked.state = action === 'pause' ? 'paused' : 'exited';
      });
      this.options.log.warn(`breach response: ${action} of ${name} done`);
    } catch (err) {
      record.ok = false;
      record.error = err instanceof Error ? err.message : String(err);
      this.options.log.error(`breach response: ${action} of ${name} failed: ${record.error}`);
    }
    record.at = Date.now();
    this.emitter.fire(record);
  }

  /** A new run of the container: the response applies again. */
  started(containerId: string): void {
    this.responded.delete(containerId);
  }

  forget(containerId: string): void {
    this.responded.delete(containerId);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private respondedIn(containerId: string): Set<string> {
    let keys = this.responded.get(containerId);
    if (!keys) this.responded.set(containerId, (keys = new Set()));
    return keys;
  }
}
