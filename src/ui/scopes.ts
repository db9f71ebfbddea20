import * as vscode from 'vscode';
import { defaultEngineName, EngineSet, NamedEngine } from '../engine/engines';
import { Engine } from '../engine/engine';
import { SecurityMonitor } from '../monitor/monitor';
import { AlertDiagnostics } from './monitor/diagnostics';
import { LiveWorkspaceIndex } from '../workspace/liveIndex';
import { Workspace } from '../workspace/model';
import { WorkspaceService } from '../workspace/service';

/** Everything that works on one engine's workspaces; one per engine in aicli.engines (+ the default). */
export interface EngineScope {
  name: string;
  engine: Engine;
  service: WorkspaceService;
  index: LiveWorkspaceIndex;
  monitor: SecurityMonitor;
  /** The engine's alerts in the Problems panel (also in parts). */
  diagnostics: AlertDiagnostics;
  /** UI parts that live as long as the scope (its diagnostics, breach notices, ticker feed). */
  parts?: { dispose(): void }[];
}

function disposeScope(scope: EngineScope): void {
  scope.parts?.forEach((part) => part.dispose());
  scope.index.dispose();
  scope.monitor.dispose();
}

/**
 * The scopes of every engine, rebuilt when aicli.engines changes (the EngineSet keeps the
 * engines whose entry did not change, so their scopes stay too). Commands find the scope of a
 * workspace by the engine name stamped on it.
 */
export class EngineScopes implements vscode.Disposable {
  private readonly scopes = new Map<string, EngineScope>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: { dispose(): void };

  constructor(
    readonly engines: EngineSet,
    private readonly make: (named: NamedEngine) => EngineScope,
  ) {
    this.sync();
    this.subscription = engines.onDidChange(() => {
      this.sync();
      this.changeEmitter.fire();
    });
  }

  get all(): EngineScope[] {
    return [...this.scopes.values()];
  }

  get default(): EngineScope {
    return this.scopes.get(defaultEngineName) as EngineScope;
  }

  byName(name: string | undefined): EngineScope {
    return this.scopes.get(name ?? defaultEngineName) ?? this.default;
  }

  of(workspace: Pick<Workspace, 'engine'>): EngineScope {
    return this.byName(workspace.engine);
  }

  /** The scope whose index knows this container (alerts and documents carry only the id). */
  ofContainer(containerId: string): EngineScope {
    return this.all.find((scope) => scope.index.workspaces.some((workspace) => workspace.containerId === containerId)) ?? this.default;
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
      disposeScope(scope);
      this.scopes.delete(name);
    }
    for (const [name, named] of wanted) if (!this.scopes.has(name)) this.scopes.set(name, this.make(named));
  }

  dispose(): void {
    this.subscription.dispose();
    for (const scope of this.scopes.values()) disposeScope(scope);
    this.scopes.clear();
    this.changeEmitter.dispose();
  }
}
