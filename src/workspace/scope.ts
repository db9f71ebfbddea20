import { AuditSink } from '../audit/sink';
import { EngineConnection, EngineLog, silentLog } from '../engine/connection';
import { defaultEngineName, EngineSet, NamedEngine } from '../engine/engines';
import { Disposable, Emitter } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { SecurityMonitor } from '../monitor/monitor';
import { MonitorScope } from '../monitor/scope';
import { MonitorSettings } from '../monitor/settings';
import { applyCleanup, CleanupOptions, CleanupPlan, CleanupResult, CleanupTrigger, planCleanup } from './cleanup';
import { allowEgress } from './gateway';
import { GatewayPlan } from '../isolation/gatewayConfig';
import { listImages, LocalImage, removeImage } from './images';
import { LiveWorkspaceIndex } from './liveIndex';
import { Workspace } from './model';
import { pullImage, PullResult } from './pull';
import { PullProgress } from './pullProgress';
import { WorkspacePolicy } from './request';
import { WorkspaceService } from './service';
import { WorkspaceChanges } from './review/service';
import { defaultProtectedPaths } from '../isolation/projectMount';

export interface EngineScopeOptions {
  /** Read on every create, so a settings change applies to the next one. */
  policy: () => WorkspacePolicy;
  /** Read on every monitor decision. */
  monitorSettings: () => MonitorSettings;
  log?: EngineLog;
  /** Narrows what the monitor watches (tests: their own run). */
  monitorScope?: MonitorScope;
  /** How long the live index gathers an event burst before it reads the engine. */
  indexDebounceMs?: number;
  /** The audit trail's sink (AuditTrail.sink()); the scope binds it to its engine. None: nothing is recorded. */
  audit?: AuditSink;
}

/**
 * Everything that works on one engine's workspaces: the only way in for the extension, the
 * CLI and (next) the MCP server. A front end picks the scope once per command (the node's
 * engine, --engine, placement) and does everything through it, so work on one engine can
 * never land on another. The parts are made on first use: the CLI's create needs neither
 * the live index nor the monitor, and does not pay for them.
 */
export class EngineScope implements Disposable {
  private serviceValue: WorkspaceService | undefined;
  private indexValue: LiveWorkspaceIndex | undefined;
  private monitorValue: SecurityMonitor | undefined;
  private changesValue: WorkspaceChanges | undefined;
  private readonly parts: Disposable[] = [];
  /**
   * Where this engine's actions are recorded: the service, the monitor and the review service
   * record through it; a front end records what only it sees (a terminal session) here too.
   */
  readonly audit: AuditSink;

  constructor(
    readonly name: string,
    readonly engine: Engine,
    private readonly options: EngineScopeOptions,
  ) {
    this.audit = (options.audit ?? AuditSink.none).forEngine(name);
  }

  /** Stamped on this engine's workspaces; the default engine's carry none. */
  get engineName(): string | undefined {
    return this.name === defaultEngineName ? undefined : this.name;
  }

  get service(): WorkspaceService {
    // A write into a workspace waits until no process check of the monitor is in it (if a monitor runs).
    this.serviceValue ??= new WorkspaceService(
      () => this.connection(),
      this.options.policy,
      (containerId, action) => (this.monitorValue ? this.monitorValue.withoutExecs(containerId, action) : action()),
      this.engineName,
      this.audit,
    );
    return this.serviceValue;
  }

  get index(): LiveWorkspaceIndex {
    this.indexValue ??= new LiveWorkspaceIndex(this.engine, this.options.indexDebounceMs ?? 50, this.engineName);
    return this.indexValue;
  }

  get monitor(): SecurityMonitor {
    this.monitorValue ??= new SecurityMonitor(this.engine, {
      settings: this.options.monitorSettings,
      log: this.options.log ?? silentLog,
      scope: this.options.monitorScope,
      audit: this.audit,
    });
    return this.monitorValue;
  }

  /** Review mode: the box's changes against the folder, apply and discard. */
  get changes(): WorkspaceChanges {
    this.changesValue ??= new WorkspaceChanges(
      () => this.connection(),
      () => this.options.policy().protectedPaths ?? defaultProtectedPaths,
      this.audit,
    );
    return this.changesValue;
  }

  connection(): Promise<EngineConnection> {
    return this.engine.connection();
  }

  readonly images = {
    list: async (): Promise<LocalImage[]> => listImages(await this.connection()),
    remove: async (reference: string): Promise<void> => removeImage(await this.connection(), reference),
    pull: async (reference: string, onProgress?: (progress: PullProgress) => void, signal?: AbortSignal): Promise<PullResult> =>
      pullImage(await this.connection(), reference, onProgress, signal),
  };

  readonly cleanup = {
    plan: async (options: CleanupOptions): Promise<CleanupPlan> => planCleanup(await this.connection(), options),
    /** Recorded (cleanup.apply) with what it removed; `trigger` says what started it. */
    apply: (plan: CleanupPlan, trigger: CleanupTrigger = 'command'): Promise<CleanupResult> =>
      this.audit.action(
        'cleanup.apply',
        undefined,
        { trigger },
        async () => applyCleanup(await this.connection(), plan),
        ({ removed, gone, failed }) => ({ removed, gone, failed }),
      ),
  };

  /** Lets a workspace of this engine reach more hosts (kept in its gateway on the engine). */
  async allowEgress(workspace: Pick<Workspace, 'id'>, entries: string[]): Promise<GatewayPlan> {
    return allowEgress(await this.connection(), workspace.id, entries);
  }

  /** Whether this engine's index lists the container or its monitor holds an alert for it. */
  knows(containerId: string): boolean {
    if (this.indexValue?.workspaces.some((workspace) => workspace.containerId === containerId)) return true;
    return (this.monitorValue?.alerts.list((alert) => alert.workspace.containerId === containerId).length ?? 0) > 0;
  }

  /** Front-end parts that live as long as the scope (the UI's diagnostics, notices, ticker feed). */
  attach(...parts: Disposable[]): void {
    this.parts.push(...parts);
  }

  dispose(): void {
    this.parts.splice(0).forEach((part) => part.dispose());
    this.indexValue?.dispose();
    this.monitorValue?.dispose();
  }
}

/**
 * The scopes of every engine of an EngineSet, rebuilt when its engines change (the set keeps
 * the engines whose entry did not change, so their scopes stay too). A workspace's scope is
 * found by the engine name stamped on it; an unknown name is an error, never another engine.
 */
export class EngineScopes<S extends EngineScope = EngineScope> implements Disposable {
  private readonly scopes = new Map<string, S>();
  private readonly changeEmitter = new Emitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: Disposable;

  constructor(
    readonly engines: EngineSet,
    private readonly make: (named: NamedEngine) => S,
  ) {
    this.sync();
    this.subscription = engines.onDidChange(() => {
      this.sync();
      this.changeEmitter.fire();
    });
  }

  get all(): S[] {
    return [...this.scopes.values()];
  }

  /** The scope of an engine by name; undefined names the default engine (its workspaces carry no name). */
  byName(name: string | undefined): S {
    const found = this.scopes.get(name ?? defaultEngineName);
    if (found) return found;
    throw new EngineError(
      'badHost',
      `There is no engine named "${name}" (any more).`,
      `Use one of ${[...this.scopes.keys()].join(', ')}, or add it to aicli.engines.`,
      [{ id: 'openSettings', label: 'Open Settings' }],
    );
  }

  of(workspace: Pick<Workspace, 'engine'>): S {
    return this.byName(workspace.engine);
  }

  /**
   * The scope of a container that alerts and documents name by id only: the engine whose
   * index lists it or whose monitor holds an alert for it (container ids are unique across engines).
   */
  ofContainer(containerId: string): S | undefined {
    return this.all.find((scope) => scope.knows(containerId));
  }

  /** ofContainer, for work that cannot go on without it. */
  holding(containerId: string): S {
    const found = this.ofContainer(containerId);
    if (found) return found;
    throw new Error(`No engine has the container ${containerId.slice(0, 12)} any more (removed?). Refresh the Workspaces view.`);
  }

  /** Every engine's workspaces, engine by engine. */
  workspaces(): Workspace[] {
    return this.all.flatMap((scope) => scope.index.workspaces);
  }

  /** Reads every engine's list that is not current (a hidden view leaves them stale). */
  async resync(): Promise<void> {
    await Promise.all(this.all.map((scope) => (scope.index.ready ? undefined : scope.index.resync(true))));
  }

  private sync(): void {
    const wanted = new Map(this.engines.all.map((named) => [named.name, named]));
    for (const [name, scope] of this.scopes) {
      if (wanted.get(name)?.engine === scope.engine) continue;
      scope.dispose();
      this.scopes.delete(name);
    }
    for (const [name, named] of wanted) if (!this.scopes.has(name)) this.scopes.set(name, this.make(named));
  }

  dispose(): void {
    this.subscription.dispose();
    for (const scope of this.scopes.values()) scope.dispose();
    this.scopes.clear();
    this.changeEmitter.dispose();
  }
}
