import * as vscode from 'vscode';
import { labels, Workspace } from '../../workspace/model';
import { IndexChange } from '../../workspace/liveIndex';
import { listContainers } from '../../engine/containers';
import { defaultEngineName } from '../../engine/engines';
import { engineProductName } from '../../engine/product';
import { UiEngineScope, UiEngineScopes } from '../scopes';
import { treeItemFor } from './items';
import { TreeNode } from './nodes';
import { workspaceDetails, workspaceTooltip } from './details';
import type { ChangeCount } from '../changes/summary';

type WorkspaceNode = Extract<TreeNode, { kind: 'workspace' }>;

/** Workspace ids are unique per engine, not across engines. */
const nodeKey = (workspace: Workspace): string => `${workspace.engine ?? ''}/${workspace.id}`;

/**
 * The "Workspaces" view. It redraws only what changed: the live index reports which
 * workspaces an event burst touched, and the node objects for them are updated in place and
 * fired one by one, so expanded rows stay expanded. No timers, no polling.
 */
export class WorkspacesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly nodes = new Map<string, WorkspaceNode>();
  private readonly otherGroup: TreeNode = { kind: 'otherGroup' };
  /** Review workspaces' change counts, from the Changes view's last read of each. */
  private readonly changeCounts = new Map<string, ChangeCount>();
  private readonly subscriptions: { dispose(): void }[];

  private scopeSubscriptions: { dispose(): void }[] = [];

  constructor(
    private readonly scopes: UiEngineScopes,
    private readonly showOtherContainers: () => boolean,
  ) {
    this.subscriptions = [
      scopes.onDidChange(() => {
        this.watchScopes();
        this.changeEmitter.fire(undefined);
      }),
    ];
    this.watchScopes();
  }

  /** The default engine's: a single engine keeps the flat view of before, and other containers are listed there. */
  private get defaultScope(): UiEngineScope {
    return this.scopes.byName(defaultEngineName);
  }

  private watchScopes(): void {
    this.scopeSubscriptions.forEach((subscription) => subscription.dispose());
    this.scopeSubscriptions = this.scopes.all.flatMap((scope) => [
      scope.engine.onDidChangeState(() => this.changeEmitter.fire(undefined)),
      scope.index.onDidChange((change) => this.onIndexChange(change)),
      scope.engine.onEvent((event) => {
        // The setting last: every exec of a health check is a container event of a workspace.
        if (event.Type === 'container' && event.Actor.Attributes?.[labels.managed] !== 'true' && this.showOtherContainers()) {
          this.changeEmitter.fire(this.otherGroup);
        }
      }),
    ]);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return treeItemFor(node, node.kind === 'workspace' ? this.changeCounts.get(nodeKey(node.workspace)) : undefined);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return this.scopes.all.length > 1 ? this.engineGroups() : this.rootNodes(this.defaultScope);
    if (node.kind === 'engineGroup') return this.rootNodes(this.scopes.byName(node.name), node.name);
    if (node.kind === 'workspace') return workspaceDetails(this.scopes.of(node.workspace).engine, node.workspace);
    if (node.kind === 'otherGroup') return this.otherContainers();
    return [];
  }

  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode): Promise<vscode.TreeItem> {
    if (node.kind === 'workspace') item.tooltip = await workspaceTooltip(this.scopes.of(node.workspace).engine, node.workspace);
    return item;
  }

  /** The node currently shown for a workspace, for reveal() and tests. */
  nodeFor(workspace: Workspace): WorkspaceNode {
    const key = nodeKey(workspace);
    const existing = this.nodes.get(key);
    if (existing) {
      existing.workspace = workspace;
      return existing;
    }
    const created: WorkspaceNode = { kind: 'workspace', workspace };
    this.nodes.set(key, created);
    return created;
  }

  /** A review workspace's count of changes (undefined: unknown), shown on its row. */
  showChangeCount(workspace: Workspace, count: ChangeCount | undefined): void {
    const key = nodeKey(workspace);
    if (count) this.changeCounts.set(key, count);
    else this.changeCounts.delete(key);
    const node = this.nodes.get(key);
    if (node) this.changeEmitter.fire(node);
  }

  refresh(): void {
    for (const scope of this.scopes.all) void scope.index.resync();
  }

  dispose(): void {
    this.scopeSubscriptions.forEach((subscription) => subscription.dispose());
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changeEmitter.dispose();
  }

  private async engineGroups(): Promise<TreeNode[]> {
    return Promise.all(
      this.scopes.all.map(async (scope): Promise<TreeNode> => {
        const state = scope.engine.state;
        const running = scope.index.workspaces.filter((workspace) => workspace.state === 'running');
        const samples = running.map((workspace) => scope.monitor.stats.latest(workspace.containerId)?.snapshot);
        const info = state.kind === 'connected' ? await state.connection.info().catch(() => undefined) : undefined;
        return {
          kind: 'engineGroup',
          name: scope.name,
          state,
          load: {
            version: state.kind === 'connected' ? engineProductName(state.connection.engineVersion) : undefined,
            running: running.length,
            cpus: info?.NCPU,
            memTotal: info?.MemTotal,
            cpuPercent: samples.reduce((sum, sample) => sum + (sample?.cpuPercent ?? 0), 0),
            memoryUsed: samples.reduce((sum, sample) => sum + (sample?.memoryUsedBytes ?? 0), 0),
          },
        };
      }),
    );
  }

  private async rootNodes(scope: UiEngineScope, engineName?: string): Promise<TreeNode[]> {
    const state = scope.engine.state;
    if (state.kind !== 'connected') return [{ kind: 'engine', state, engineName }];
    // getChildren means someone is looking, whatever the visibility event said.
    if (!scope.index.ready) await scope.index.resync(true);
    const workspaces = scope.index.workspaces;
    const live = new Set(this.scopes.workspaces().map(nodeKey));
    for (const key of this.nodes.keys()) if (!live.has(key)) this.nodes.delete(key);
    for (const key of this.changeCounts.keys()) if (!live.has(key)) this.changeCounts.delete(key);
    const nodes: TreeNode[] = workspaces.map((workspace) => this.nodeFor(workspace));
    if (this.showOtherContainers() && scope === this.defaultScope) nodes.push(this.otherGroup);
    return nodes;
  }

  private onIndexChange(change: IndexChange): void {
    if (change.kind === 'all' || change.removed.length > 0 || change.workspaces.some((workspace) => !this.nodes.has(nodeKey(workspace)))) {
      this.changeEmitter.fire(undefined);
      return;
    }
    for (const workspace of change.workspaces) this.changeEmitter.fire(this.nodeFor(workspace));
  }

  private async otherContainers(): Promise<TreeNode[]> {
    const connection = await this.defaultScope.connection();
    const rows = await listContainers(connection, { kind: 'any' }, 'list other containers');
    return (
      rows
        // Anything AICLI manages (a workspace, or a workspace's gateway) is not "other".
        .filter((row) => row.Labels?.[labels.managed] === undefined)
        .map((row) => ({
          kind: 'other',
          id: row.Id,
          name: (row.Names[0] ?? row.Id).replace(/^\//, ''),
          image: row.Image,
          state: row.State,
          status: row.Status,
        }))
    );
  }
}
