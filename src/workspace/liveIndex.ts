import { listContainers } from '../engine/containers';
import { Disposable, Emitter } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { DockerEvent } from '../engine/events';
import { labels, onEngine, Workspace, workspaceFromSummary } from './model';

/** Container events that change what the tree shows; exec_* and the like do not. */
const stateActions = /^(create|start|restart|stop|die|kill|pause|unpause|destroy|rename|oom|update|health_status)/;
/**
 * Events after which a list would tell nothing new: a kill is followed by a die when it kills,
 * and right after a die the engine's list still says "running" (measured on 20.10: it catches
 * up by the `stop` event, after the network teardown). The die itself carries the news.
 */
const noNews = /^(kill|die)$/;

/**
 * What an event alone says about a known workspace, so its row changes the moment the engine
 * says so instead of after a list call (which, right after a die, waits behind the engine's
 * cleanup). The list that follows refines the status text.
 */
function fromEvent(workspace: Workspace, event: DockerEvent): Workspace | 'removed' | undefined {
  const running = workspace.status.replace(/ \(Paused\)$/, '');
  switch (event.Action) {
    case 'start':
    case 'restart':
      return { ...workspace, state: 'running', status: 'Up Less than a second' };
    case 'unpause':
      return { ...workspace, state: 'running', status: running };
    case 'pause':
      return { ...workspace, state: 'paused', status: `${running} (Paused)` };
    case 'die':
      return { ...workspace, state: 'exited', status: `Exited (${event.Actor.Attributes?.exitCode ?? '?'}) Less than a second ago` };
    case 'destroy':
      return 'removed';
    default:
      return undefined;
  }
}

export type IndexChange = { kind: 'all' } | { kind: 'workspaces'; workspaces: Workspace[]; removed: string[] };

type Summary = Parameters<typeof workspaceFromSummary>[0];

/**
 * The managed workspaces of one engine, kept current from the shared events stream: a full
 * list on (re)connect, then one filtered list call per burst of events for just the
 * containers that changed. While inactive (view hidden) events only mark it stale, and it
 * resyncs when it becomes active again — no engine work for a view nobody sees.
 */
export class LiveWorkspaceIndex implements Disposable {
  private readonly byContainer = new Map<string, Workspace>();
  private readonly changeEmitter = new Emitter<IndexChange>();
  private readonly subscriptions: Disposable[];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private active = true;
  private stale = true;
  private syncing: Promise<void> | undefined;
  /** Events seen, and the count at each container's latest: answers older than that are dropped. */
  private eventCount = 0;
  private readonly lastEventOf = new Map<string, number>();
  /**
   * The state the latest state-bearing event gave each container. The engine's list can lag
   * behind its own die and stop events (its snapshot is written after them), so a list that
   * disagrees with the last event is the older news.
   */
  private readonly toldState = new Map<string, Workspace['state']>();

  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly engine: Engine,
    private readonly debounceMs = 50,
    /** Stamped on every workspace (several engines); undefined: the default engine. */
    readonly engineName?: string,
  ) {
    this.subscriptions = [
      engine.onNotice((notice) => {
        // After a (re)connect the engine's list is the truth again, whatever events said before.
        if (notice.kind !== 'disconnected') {
          this.toldState.clear();
          void this.resync();
        }
      }),
      engine.onEvent((event) => this.onEngineEvent(event)),
    ];
  }

  get workspaces(): Workspace[] {
    return [...this.byContainer.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** True once a list has been read since the last (re)connect. */
  get ready(): boolean {
    return !this.stale;
  }

  setActive(active: boolean): void {
    this.active = active;
    if (active && this.stale) void this.resync();
  }

  /**
   * Reads the whole list again (on connect, on becoming visible, on Refresh). While inactive
   * it only marks the list stale, unless a reader asks for it now (`force`).
   */
  resync(force = false): Promise<void> {
    if (!this.active && !force) {
      this.stale = true;
      return Promise.resolve();
    }
    this.syncing ??= this.readAll().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changeEmitter.dispose();
  }

  private async readAll(): Promise<void> {
    const askedAt = this.eventCount;
    try {
      const connection = await this.engine.connection();
      const rows = await listContainers(connection, {}, 'list workspaces');
      // What events told us after the question stands; the answer is older for those containers.
      const before = new Map(this.byContainer);
      const keep = new Map([...before].filter(([id]) => this.newerThan(id, askedAt)));
      this.byContainer.clear();
      for (const row of rows) {
        const workspace = onEngine(workspaceFromSummary(row as Summary), this.engineName);
        if (!workspace || keep.has(workspace.containerId)) continue;
        const known = before.get(workspace.containerId);
        this.byContainer.set(workspace.containerId, known && this.contradictsEvents(workspace) ? known : workspace);
      }
      for (const [id, workspace] of keep) this.byContainer.set(id, workspace);
      this.stale = false;
      // Events after the question still need their answer.
      for (const id of this.pending) if (!this.newerThan(id, askedAt)) this.pending.delete(id);
    } catch {
      // The engine state (shown by the tree) says why; the next reconnect resyncs.
      this.stale = true;
    }
    this.changeEmitter.fire({ kind: 'all' });
  }

  private contradictsEvents(workspace: Workspace): boolean {
    const told = this.toldState.get(workspace.containerId);
    return told !== undefined && told !== workspace.state;
  }

  private newerThan(containerId: string, askedAt: number): boolean {
    return (this.lastEventOf.get(containerId) ?? 0) > askedAt;
  }

  private onEngineEvent(event: DockerEvent): void {
    if (event.Type !== 'container' || !stateActions.test(event.Action)) return;
    const workspace = this.byContainer.get(event.Actor.ID);
    if (!workspace && event.Actor.Attributes?.[labels.managed] !== 'true') return;
    if (!this.active) {
      this.stale = true;
      return;
    }
    this.lastEventOf.set(event.Actor.ID, ++this.eventCount);
    const told = workspace ? fromEvent(workspace, event) : undefined;
    if (told === 'removed') {
      this.byContainer.delete(event.Actor.ID);
      this.lastEventOf.delete(event.Actor.ID);
      this.toldState.delete(event.Actor.ID);
      this.pending.delete(event.Actor.ID);
      this.changeEmitter.fire({ kind: 'workspaces', workspaces: [], removed: [event.Actor.ID] });
      return;
    }
    if (told) {
      this.toldState.set(told.containerId, told.state);
      this.byContainer.set(told.containerId, told);
      this.changeEmitter.fire({ kind: 'workspaces', workspaces: [told], removed: [] });
    }
    if (noNews.test(event.Action)) return;
    this.pending.add(event.Actor.ID);
    // A burst of events becomes one engine call (and, for news the events did not carry, one update).
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.readPending();
    }, this.debounceMs);
  }

  private async readPending(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    if (ids.length === 0) return;
    const askedAt = this.eventCount;
    // An event after the question makes the answer old news for that container: a list asked
    // before a die can answer after it, with the container still "running".
    const newer = (id: string): boolean => this.newerThan(id, askedAt);
    try {
      const connection = await this.engine.connection();
      const rows = await listContainers(connection, { ids }, 'list changed workspaces');
      const changed: Workspace[] = [];
      const answered = new Set<string>();
      for (const row of rows) {
        const workspace = onEngine(workspaceFromSummary(row as Summary), this.engineName);
        if (!workspace) continue;
        answered.add(workspace.containerId);
        if (newer(workspace.containerId) || this.contradictsEvents(workspace)) continue;
        this.byContainer.set(workspace.containerId, workspace);
        changed.push(workspace);
      }
      const removed = ids.filter((id) => !answered.has(id) && !newer(id) && this.byContainer.delete(id));
      this.changeEmitter.fire({ kind: 'workspaces', workspaces: changed, removed });
    } catch {
      this.stale = true;
    }
  }
}
