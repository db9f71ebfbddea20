import * as vscode from 'vscode';
import { Engine } from '../../engine/engine';
import { labels, Workspace } from '../../workspace/model';
import { IndexChange, LiveWorkspaceIndex } from '../../workspace/liveIndex';
import { treeItemFor } from './items';
import { TreeNode } from './nodes';
import { workspaceDetails, workspaceTooltip } from './details';

type WorkspaceNode = Extract<TreeNode, { kind: 'workspace' }>;

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
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly engine: Engine,
    private readonly index: LiveWorkspaceIndex,
    private readonly showOtherContainers: () => boolean,
  ) {
    this.subscriptions = [
      engine.onDidChangeState(() => this.changeEmitter.fire(undefined)),
      index.onDidChange((change) => this.onIndexChange(change)),
      engine.onEvent((event) => {
        if (event.Type === 'container' && this.showOtherContainers() && event.Actor.Attributes?.[labels.managed] !== 'true') {
          this.changeEmitter.fire(this.otherGroup);
        }
      }),
    ];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return treeItemFor(node);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return this.rootNodes();
    if (node.kind === 'workspace') return workspaceDetails(this.engine, node.workspace);
    if (node.kind === 'otherGroup') return this.otherContainers();
    return [];
  }

  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode): Promise<vscode.TreeItem> {
    if (node.kind === 'workspace') item.tooltip = await workspaceTooltip(this.engine, node.workspace);
    return item;
  }

  /** The node currently shown for a workspace, for reveal() and tests. */
  nodeFor(workspace: Workspace): WorkspaceNode {
    const existing = this.nodes.get(workspace.id);
    if (existing) {
      existing.workspace = workspace;
      return existing;
    }
    const created: WorkspaceNode = { kind: 'workspace', workspace };
    this.nodes.set(workspace.id, created);
    return created;
  }

  refresh(): void {
    void this.index.resync();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changeEmitter.dispose();
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const state = this.engine.state;
    if (state.kind !== 'connected') return [{ kind: 'engine', state }];
    // getChildren means someone is looking, whatever the visibility event said.
    if (!this.index.ready) await this.index.resync(true);
    const workspaces = this.index.workspaces;
    const live = new Set(workspaces.map((workspace) => workspace.id));
    for (const id of this.nodes.keys()) if (!live.has(id)) this.nodes.delete(id);
    const nodes: TreeNode[] = workspaces.map((workspace) => this.nodeFor(workspace));
    if (this.showOtherContainers()) nodes.push(this.otherGroup);
    return nodes;
  }

  private onIndexChange(change: IndexChange): void {
    if (change.kind === 'all' || change.removed.length > 0 || change.workspaces.some((workspace) => !this.nodes.has(workspace.id))) {
      this.changeEmitter.fire(undefined);
      return;
    }
    for (const workspace of change.workspaces) this.changeEmitter.fire(this.nodeFor(workspace));
  }

  private async otherContainers(): Promise<TreeNode[]> {
    const connection = await this.engine.connection();
    const rows = await connection.call('list other containers', (docker) => docker.listContainers({ all: true }));
    return rows
      .filter((row) => row.Labels?.[labels.managed] !== 'true')
      .map((row) => ({ kind: 'other', id: row.Id, name: (row.Names[0] ?? row.Id).replace(/^\//, ''), image: row.Image, state: row.State, status: row.Status }));
  }
}
