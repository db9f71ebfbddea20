import * as vscode from 'vscode';
import { Workspace } from '../../workspace/model';
import { Change } from '../../workspace/review/changes';
import { UiEngineScopes } from '../scopes';
import { stateIcon } from '../tree/nodes';
import { ChangesModel, ChangesRead, workspaceKey } from './model';
import { countOf, countText, kindText } from './summary';

/** What each row of the Changes view is; TreeItems are built from these on demand. */
export type ChangesNode =
  | { kind: 'changesWorkspace'; workspace: Workspace }
  | { kind: 'protectedGroup'; workspace: Workspace; changes: Change[] }
  | { kind: 'change'; workspace: Workspace; change: Change }
  | { kind: 'changesMessage'; workspace: Workspace; text: string; error: boolean };

const color = (id: string): vscode.ThemeColor => new vscode.ThemeColor(id);

const kindIcons: Record<Change['kind'], vscode.ThemeIcon> = {
  added: new vscode.ThemeIcon('diff-added', color('gitDecoration.addedResourceForeground')),
  modified: new vscode.ThemeIcon('diff-modified', color('gitDecoration.modifiedResourceForeground')),
  deleted: new vscode.ThemeIcon('diff-removed', color('gitDecoration.deletedResourceForeground')),
  mode: new vscode.ThemeIcon('key', color('gitDecoration.modifiedResourceForeground')),
  typechange: new vscode.ThemeIcon('arrow-swap', color('gitDecoration.modifiedResourceForeground')),
};

function rootDescription(read: ChangesRead | undefined, engine: string | undefined): string {
  const count = !read ? 'not read yet' : read.error ? 'could not be read' : countText(countOf(read.changes ?? []));
  return engine ? `${count} · on ${engine}` : count;
}

function changeItem(change: Change): vscode.TreeItem {
  const item = new vscode.TreeItem(change.path);
  item.description = change.conflict ? `${kindText(change)} · conflict: changed in the folder too` : kindText(change);
  item.iconPath = change.conflict ? new vscode.ThemeIcon('warning', color('list.warningForeground')) : kindIcons[change.kind];
  const notes = [
    change.protected ? 'A protected path: the host runs or reads it by itself. Applied only on its own, after a confirmation that names it.' : '',
    change.conflict ? 'A conflict: the folder’s copy changed since the workspace saw it. Applying overwrites that edit (after a confirmation).' : '',
    change.box?.type === 'symlink' ? `A link to ${change.box.target} (applied as a link, never followed).` : '',
  ].filter(Boolean);
  item.tooltip = [`${change.path}: ${kindText(change)}`, ...notes].join('\n');
  item.accessibilityInformation = {
    label: `${change.path}, ${kindText(change)}${change.conflict ? ', conflict' : ''}${change.protected ? ', protected' : ''}`,
  };
  return item;
}

/**
 * The "Changes" view: per review workspace (every engine), the paths its box changed against
 * the folder, protected paths apart. Rows redraw one workspace at a time when its read comes in.
 */
export class ChangesTreeProvider implements vscode.TreeDataProvider<ChangesNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ChangesNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly roots = new Map<string, Extract<ChangesNode, { kind: 'changesWorkspace' }>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly scopes: UiEngineScopes,
    readonly model: ChangesModel,
  ) {
    this.subscriptions = [
      model.onDidRead((workspace) => this.changeEmitter.fire(this.roots.get(workspaceKey(workspace)))),
      model.onDidChangeWorkspaces((changed) => {
        if (!changed) this.changeEmitter.fire(undefined);
        // A state change redraws that row alone (its icon), so nothing the user expanded collapses.
        else for (const workspace of changed) if (this.roots.has(workspaceKey(workspace))) this.changeEmitter.fire(this.rootFor(workspace));
      }),
    ];
  }

  getTreeItem(node: ChangesNode): vscode.TreeItem {
    const key = workspaceKey(node.workspace);
    switch (node.kind) {
      case 'changesWorkspace': {
        const { workspace } = node;
        const item = new vscode.TreeItem(workspace.name, vscode.TreeItemCollapsibleState.Expanded);
        const description = rootDescription(this.model.lastRead(workspace), this.scopes.all.length > 1 ? (workspace.engine ?? 'default') : undefined);
        item.id = `changes:${key}`;
        item.description = description;
        item.iconPath = stateIcon(workspace);
        item.contextValue = 'changesWorkspace';
        item.tooltip = `${workspace.name}: ${description}\nIts /workspace is its own view of ${workspace.folder}; the folder is written only when you apply a change.`;
        item.accessibilityInformation = { label: `Changes of ${workspace.name}: ${description}` };
        return item;
      }
      case 'protectedGroup': {
        const item = new vscode.TreeItem('Protected paths', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `changes:${key}:protected`;
        item.description = 'the host runs these: review each one';
        item.iconPath = new vscode.ThemeIcon('warning', color('list.warningForeground'));
        item.contextValue = 'changesProtected';
        item.tooltip =
          'Paths the host runs or reads by itself (aicli.workspace.protectedPaths): Git config and hooks, VS Code settings and tasks, … Never part of Apply All: each one is applied on its own, after a confirmation that names it.';
        item.accessibilityInformation = { label: `Protected paths of ${node.workspace.name}: the host runs these, review each one` };
        return item;
      }
      case 'change': {
        const item = changeItem(node.change);
        item.id = `changes:${key}:path:${node.change.path}`;
        item.contextValue = `change.${node.change.kind}${node.change.protected ? '.protected' : ''}${node.change.conflict ? '.conflict' : ''}`;
        item.command = { command: 'aicli.changes.openDiff', title: 'Open Diff', arguments: [node] };
        return item;
      }
      case 'changesMessage': {
        const item = new vscode.TreeItem(node.text);
        item.id = `changes:${key}:message`;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'check', node.error ? color('errorForeground') : undefined);
        item.tooltip = node.text;
        return item;
      }
    }
  }

  async getChildren(node?: ChangesNode): Promise<ChangesNode[]> {
    if (!node) return this.rootNodes();
    if (node.kind === 'protectedGroup') return node.changes.map((change) => ({ kind: 'change', workspace: node.workspace, change }));
    if (node.kind !== 'changesWorkspace') return [];
    const { workspace } = node;
    // Expanding a row is what reads it; the read's own redraw finds it current.
    const read = this.model.needsRead(workspace) ? await this.model.read(workspace) : this.model.lastRead(workspace);
    if (!read || read.error) {
      return [{ kind: 'changesMessage', workspace, text: `The changes could not be read: ${read?.error ?? 'no answer'}`, error: true }];
    }
    const changes = read.changes ?? [];
    if (changes.length === 0) return [{ kind: 'changesMessage', workspace, text: 'No changes: the workspace sees the folder as it is', error: false }];
    const nodes: ChangesNode[] = changes.filter((change) => !change.protected).map((change) => ({ kind: 'change', workspace, change }));
    const protectedChanges = changes.filter((change) => change.protected);
    if (protectedChanges.length) nodes.push({ kind: 'protectedGroup', workspace, changes: protectedChanges });
    return nodes;
  }

  /** The row shown for a workspace, for commands and tests. */
  rootFor(workspace: Workspace): Extract<ChangesNode, { kind: 'changesWorkspace' }> {
    const key = workspaceKey(workspace);
    const existing = this.roots.get(key);
    if (existing) {
      existing.workspace = workspace;
      return existing;
    }
    const created = { kind: 'changesWorkspace' as const, workspace };
    this.roots.set(key, created);
    return created;
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changeEmitter.dispose();
  }

  private async rootNodes(): Promise<ChangesNode[]> {
    await this.model.resyncIndexes();
    const workspaces = this.model.workspaces();
    const live = new Set(workspaces.map(workspaceKey));
    for (const key of this.roots.keys()) if (!live.has(key)) this.roots.delete(key);
    return workspaces.map((workspace) => this.rootFor(workspace));
  }
}
