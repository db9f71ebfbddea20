import { AuditValues } from '../../audit/sink';
import { inspectContainer, listContainers } from '../../engine/containers';
import { Disposable } from '../../engine/emitter';
import { Engine } from '../../engine/engine';
import { inspectExec } from '../../engine/execs';
import { MonitoredWorkspace, monitoredWorkspace, MonitorScope } from '../../monitor/scope';
import { WorkspaceStats } from '../../monitor/statsStream';
import type { EngineScope } from '../scope';
import { healthCheckCommand, isOwnExec } from './sessions';

/** What the lifetimes need to know of a workspace that runs (one inspect, and one of each exec it lists). */
export interface WorkspaceFacts {
  /** When its current run began. */
  startedAt: number;
  /** Running or paused (a list row may be older than a die). */
  running: boolean;
  paused: boolean;
  /** Its health check's command line, whose execs are not sessions. */
  healthCheck?: string;
  /** Exec sessions running now (those begun before we listened). */
  openExecs: string[];
}

/**
 * Everything the lifetimes read and do on one engine: its events, the monitor's stats samples,
 * a list and inspects on (re)connect and at a start, and the stop. Nothing polls: the engine is
 * asked only when its events say something changed. A unit test gives a fake.
 */
export interface LifetimeSource {
  engine: Pick<Engine, 'onEvent' | 'onNotice' | 'state'>;
  onSample(listener: (stats: WorkspaceStats) => void): Disposable;
  /** The running (not paused) managed workspaces this source's scope includes. */
  running(): Promise<MonitoredWorkspace[]>;
  facts(containerId: string): Promise<WorkspaceFacts>;
  /** Stops it through the workspace service, which records the stop with `because`. */
  stop(containerId: string, because: AuditValues): Promise<void>;
}

const startedAtOf = (text: string | undefined, now: number): number => {
  const ms = Date.parse(text ?? '');
  // A remote engine's clock may run ahead of ours: never a start in the future.
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, now) : now;
};

/** The source of one engine scope: its engine, its monitor's stats, its service's stop. `include`: tests narrow it to their run. */
export function scopeLifetimeSource(scope: EngineScope, include: MonitorScope = new MonitorScope()): LifetimeSource {
  return {
    engine: scope.engine,
    onSample: (listener) => scope.monitor.stats.onSample(listener),
    async running() {
      const rows = await listContainers(await scope.connection(), include.containerQuery(true), 'list running workspaces (lifetimes)');
      return rows.map((row) => monitoredWorkspace(row.Id, row.Labels, row.Names?.[0]));
    },
    async facts(containerId) {
      const connection = await scope.connection();
      const info = await inspectContainer(connection, containerId, 'inspect (lifetimes)');
      const config = info.Config as typeof info.Config & { Shell?: string[] };
      const healthCheck = healthCheckCommand(config?.Healthcheck?.Test, config?.Shell);
      const execs = await Promise.all(
        (info.ExecIDs ?? []).map((id) =>
          inspectExec(connection, id, 'exec inspect (lifetimes)').then(
            (exec) => exec,
            () => undefined, // ended and gone meanwhile
          ),
        ),
      );
      const openExecs = execs
        .filter((exec) => exec?.Running && !isOwnExec([exec.ProcessConfig?.entrypoint, ...(exec.ProcessConfig?.arguments ?? [])].join(' '), healthCheck))
        .map((exec) => exec!.ID);
      const { StartedAt, Running, Paused } = info.State ?? {};
      return { startedAt: startedAtOf(StartedAt, Date.now()), running: Running === true, paused: Paused === true, healthCheck, openExecs };
    },
    async stop(containerId, because) {
      await scope.service.lifecycle(containerId, 'stop', because);
    },
  };
}
