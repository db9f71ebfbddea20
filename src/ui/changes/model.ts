import * as vscode from 'vscode';
import { EngineError } from '../../engine/errors';
import { DockerEvent } from '../../engine/events';
import { IndexChange } from '../../workspace/liveIndex';
import { labels, Workspace } from '../../workspace/model';
import { Change } from '../../workspace/review/changes';
import { inReview } from '../../workspace/review/service';
import { UiEngineScope, UiEngineScopes } from '../scopes';

/** The last read of one workspace's changes: the list, or why it could not be read. */
export interface ChangesRead {
  changes?: Change[];
  error?: string;
  /** The error itself, for a command to throw (its Retry reconnects the right engine). */
  failure?: unknown;
  /** Date.now() of the read (the box side's mtime in the diff editor). */
  readAt: number;
  /** The box may have changed since (its container stopped): read again when next shown. */
  stale: boolean;
}

/** Workspace ids are unique per engine, not across engines. */
export const workspaceKey = (workspace: Pick<Workspace, 'engine' | 'id'>): string => `${workspace.engine ?? ''}/${workspace.id}`;

/**
 * The review workspaces of every engine and the last read of each one's changes. Nothing
 * polls: a workspace is read when its row is expanded or refreshed, after an apply or a
 * discard, and when its container stops or dies (its last writes are in) while the view is
 * shown; the rest of the time the rows show the last read.
 */
export class ChangesModel implements vscode.Disposable {
  private readonly reads = new Map<string, ChangesRead>();
  private readonly reading = new Map<string, Promise<ChangesRead>>();
  private readonly readEmitter = new vscode.EventEmitter<Workspace>();
  /** A workspace's changes were read (or failed to be). */
  readonly onDidRead = this.readEmitter.event;
  private readonly workspacesEmitter = new vscode.EventEmitter<Workspace[] | undefined>();
  /** Review workspaces changed state (these ones), or came and went (undefined: the whole list). */
  readonly onDidChangeWorkspaces = this.workspacesEmitter.event;
  private listed = '';
  private readonly subscription: { dispose(): void };
  private scopeSubscriptions: { dispose(): void }[] = [];
  private readonly resyncTimers = new Map<UiEngineScope, NodeJS.Timeout>();
  private visible = false;

  constructor(private readonly scopes: UiEngineScopes) {
    this.subscription = scopes.onDidChange(() => this.watchScopes());
    this.watchScopes();
  }

  /** Every engine's workspaces in review mode (the others have nothing to apply). */
  workspaces(): Workspace[] {
    return this.scopes.workspaces().filter(inReview);
  }

  lastRead(workspace: Workspace): ChangesRead | undefined {
    return this.reads.get(workspaceKey(workspace));
  }

  needsRead(workspace: Workspace): boolean {
    return this.lastRead(workspace)?.stale ?? true;
  }

  /** Reads the workspace's changes now (one read at a time per workspace); never rejects: a failure is kept as the read. */
  read(workspace: Workspace): Promise<ChangesRead> {
    const key = workspaceKey(workspace);
    const running = this.reading.get(key);
    if (running) return running;
    const started = this.readNow(workspace).finally(() => this.reading.delete(key));
    this.reading.set(key, started);
    return started;
  }

  /** While hidden the view reads nothing; shown again, it reads what went stale and lists what the indexes missed. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (!visible) return;
    void this.resyncIndexes().then(() => {
      this.workspacesEmitter.fire(undefined);
      for (const workspace of this.workspaces()) if (this.lastRead(workspace)?.stale) void this.read(workspace);
    });
  }

  /** The indexes follow events only while the Workspaces view is shown: reads the stale lists of the engines that answer. */
  async resyncIndexes(): Promise<void> {
    const stale = this.scopes.all.filter((scope) => scope.engine.state.kind === 'connected' && !scope.index.ready);
    await Promise.all(stale.map((scope) => scope.index.resync(true)));
  }

  dispose(): void {
    this.subscription.dispose();
    this.scopeSubscriptions.forEach((subscription) => subscription.dispose());
    this.resyncTimers.forEach((timer) => clearTimeout(timer));
    this.readEmitter.dispose();
    this.workspacesEmitter.dispose();
  }

  private async readNow(workspace: Workspace): Promise<ChangesRead> {
    let read: ChangesRead;
    try {
      read = { changes: await this.scopes.of(workspace).changes.list(workspace), readAt: Date.now(), stale: false };
    } catch (err) {
      const error = err instanceof EngineError ? err.userMessage : err instanceof Error ? err.message : String(err);
      read = { error, failure: err, readAt: Date.now(), stale: false };
    }
    this.reads.set(workspaceKey(workspace), read);
    this.readEmitter.fire(workspace);
    return read;
  }

  private watchScopes(): void {
    this.scopeSubscriptions.forEach((subscription) => subscription.dispose());
    this.scopeSubscriptions = this.scopes.all.flatMap((scope) => [
      scope.index.onDidChange((change) => this.onIndexChange(change)),
      scope.engine.onEvent((event) => this.onEngineEvent(scope, event)),
    ]);
    this.workspacesEmitter.fire(undefined);
  }

  private onIndexChange(change: IndexChange): void {
    const live = new Set(this.scopes.workspaces().map(workspaceKey));
    for (const key of this.reads.keys()) if (!live.has(key)) this.reads.delete(key);
    const listed = this.workspaces().map(workspaceKey).join('\n');
    const same = listed === this.listed;
    this.listed = listed;
    if (same && change.kind === 'workspaces') this.workspacesEmitter.fire(change.workspaces.filter(inReview));
    else this.workspacesEmitter.fire(undefined);
  }

  private onEngineEvent(scope: UiEngineScope, event: DockerEvent): void {
    const attributes = event.Actor.Attributes ?? {};
    if (event.Type !== 'container' || attributes[labels.mount] !== 'review' || attributes[labels.managed] !== 'true') return;
    if (event.Action === 'die') {
      const workspace = scope.index.workspaces.find((candidate) => candidate.containerId === event.Actor.ID);
      const known = workspace && this.lastRead(workspace);
      if (!workspace || !known) return;
      known.stale = true;
      if (this.visible) void this.read(workspace);
    }
    // The index follows events only while the Workspaces view is shown; this view may be shown alone.
    if (this.visible && !scope.index.ready && (event.Action === 'create' || event.Action === 'destroy')) this.resyncSoon(scope);
  }

  private resyncSoon(scope: UiEngineScope): void {
    if (this.resyncTimers.has(scope)) return;
    this.resyncTimers.set(
      scope,
      setTimeout(() => {
        this.resyncTimers.delete(scope);
        void scope.index.resync(true);
      }, 100),
    );
  }
}
