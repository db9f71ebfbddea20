import { EngineLog } from '../engine/connection';
import { isLocalEngine } from '../engine/target';
import { Disposable } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { ContainerInspectInfo } from '../engine/types';
import { localHostAddresses } from '../workspace/hostAddresses';
import { labels } from '../workspace/model';
import { AlertInput } from './alerts';
import { auditContainer, auditRules } from './audit';
import { diskLimitOf } from './diskUsage';
import { EgressRefusals, Refusal } from './egressRefusals';
import { engineSocketsOf } from './inspectFacts';
import { InspectReader } from './inspectReader';
import { ProtectedPathWatches } from './protectedPaths';
import { MonitorRules } from './rules';
import { MonitoredWorkspace, MonitorScope } from './scope';
import { MonitorSettings } from './settings';
import { TrackedWorkspaces } from './tracking';

export interface ContainerAuditOptions {
  inspect: InspectReader;
  scope: MonitorScope;
  settings: () => MonitorSettings;
  log: EngineLog;
  raise: (input: AlertInput) => void;
  /** The container is gone (its inspect says not found). */
  onGone: (containerId: string) => void;
  /** A refused egress attempt of a box (see EgressRefusals). */
  onRefused?: (workspace: MonitoredWorkspace, refusal: Refusal, attempts: number, atMs: number) => void;
}

/**
 * The configuration audit of each container (on create/start and every resync) and the
 * watches that follow from what its inspect says: the protected paths of a bind-mounted
 * folder (protectedPaths.ts) and the refusals of its egress gateway (egressRefusals.ts).
 */
export class ContainerAudit implements Disposable {
  private readonly protectedPaths: ProtectedPathWatches;
  private readonly egressRefusals: EgressRefusals;
  private disposed = false;

  constructor(
    private readonly engine: Engine,
    private readonly tracked: TrackedWorkspaces,
    private readonly rules: MonitorRules,
    private readonly options: ContainerAuditOptions,
  ) {
    this.protectedPaths = new ProtectedPathWatches(options.raise, options.log);
    this.egressRefusals = new EgressRefusals(
      () => engine.connection(),
      options.raise,
      options.log,
      () => (this.localEngine() ? localHostAddresses() : []),
      options.onRefused,
    );
  }

  /** Audits one container; conditionAt defaults to when it started (or was created). */
  async audit(containerId: string, conditionAt?: number): Promise<void> {
    let info: ContainerInspectInfo;
    try {
      info = await this.options.inspect.read(containerId);
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'notFound') this.options.onGone(containerId);
      else this.options.log.warn(`monitor: cannot inspect ${containerId.slice(0, 12)}: ${(err as Error).message}`);
      return;
    }
    if (this.disposed || !this.options.scope.includes(info.Config?.Labels ?? {})) return;
    const tracked = this.tracked.get(containerId);
    if (!tracked) return; // destroyed while we read it
    tracked.diskLimitBytes = diskLimitOf(info);
    // The run state comes from events and lists only: this inspect may predate the latest event.
    const settings = this.options.settings();
    const findings = auditContainer(info, {
      level: tracked.workspace.level,
      blockedPorts: settings.blockedPorts,
      engineSockets: engineSocketsOf(this.engine.target),
      allowEngineSocket: settings.allowEngineSocket,
    });
    const since = conditionAt ?? (info.State?.Running ? Date.parse(info.State.StartedAt) : Date.parse(info.Created));
    this.rules.apply(tracked.workspace, findings, auditRules, since);
    const running = tracked.state === 'running';
    this.protectedPaths.update(tracked.workspace, info, { running, localEngine: this.localEngine(), protectedPaths: settings.protectedPaths });
    // Refusals are reported while the box runs (its gateway runs longer, but nothing else talks through it).
    if (running) this.egressRefusals.follow(tracked.workspace, info.Config?.Labels?.[labels.egress], Date.parse(info.State?.StartedAt ?? ''));
    else this.egressRefusals.stop(containerId);
  }

  /** Stops the watches of a container that stopped or is gone. */
  stop(containerId: string): void {
    this.protectedPaths.stop(containerId);
    this.egressRefusals.stop(containerId);
  }

  dispose(): void {
    this.disposed = true;
    this.protectedPaths.dispose();
    this.egressRefusals.dispose();
  }

  /** The engine runs on this machine: a bind's source is a folder here, and its addresses are ours. */
  private localEngine(): boolean {
    return isLocalEngine(this.engine.target);
  }
}
