import * as vscode from 'vscode';
import { Workspace } from '../../workspace/model';
import { Change } from '../../workspace/review/changes';
import { CommandContext } from '../commands/context';
import { ChangesModel, workspaceKey } from './model';
import { countOf, countText, kindText } from './summary';
import { ChangesNode } from './view';

export interface ChangesEnv {
  context: CommandContext;
  model: ChangesModel;
}

/** What one command acts on in one workspace. */
export interface ChangeTarget {
  workspace: Workspace;
  changes: Change[];
}

/** A row of the view as VS Code passes it (the automation options object is not one). */
export const isNode = (value: unknown): value is ChangesNode =>
  !!value && typeof value === 'object' && 'kind' in value && 'workspace' in value && typeof (value as { kind: unknown }).kind === 'string';

/** The review workspace a command acts on: the clicked row's, else the only one, else a pick (from the palette). */
export async function targetWorkspace(env: ChangesEnv, clicked: unknown, title: string): Promise<Workspace | undefined> {
  if (isNode(clicked)) return clicked.workspace;
  await env.model.resyncIndexes();
  const candidates = env.model.workspaces();
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      'No workspace works in review mode: a workspace made on a local engine does by default (aicli.workspace.projectMount), and its changes are listed in the Changes view.',
    );
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const items = candidates.map((workspace) => {
    const read = env.model.lastRead(workspace);
    const count = read?.changes ? countText(countOf(read.changes)) : 'changes not read yet';
    return { label: workspace.name, description: `${count}${workspace.engine ? ` · on ${workspace.engine}` : ''}`, detail: workspace.folder, workspace };
  });
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Select a workspace' }))?.workspace;
}

/** A fresh read of the workspace's changes; a failure is thrown for the kernel to show (with Retry on its engine). */
export async function freshChanges(env: ChangesEnv, workspace: Workspace): Promise<Change[]> {
  const read = await env.model.read(workspace);
  if (read.failure !== undefined) throw read.failure;
  return read.changes ?? [];
}

/** Picks changes of a workspace (from the palette), protected paths and conflicts marked. */
async function pickChanges(env: ChangesEnv, workspace: Workspace, title: string, canPickMany: boolean): Promise<Change[]> {
  const changes = await freshChanges(env, workspace);
  if (changes.length === 0) {
    void vscode.window.showInformationMessage(`${workspace.name} has no changes: its /workspace is the folder as it is.`);
    return [];
  }
  const items = changes.map((change) => ({
    label: change.path,
    description: kindText(change),
    detail: [change.protected ? '$(warning) protected: the host runs it' : '', change.conflict ? '$(warning) conflict: changed in the folder too' : '']
      .filter(Boolean)
      .join(' · '),
    change,
  }));
  if (canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, placeHolder: `Select changes of ${workspace.name}` });
    return (picked ?? []).map((item) => item.change);
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: `Select a change of ${workspace.name}` });
  return picked ? [picked.change] : [];
}

/** The changes a command acts on, by workspace: the multi-selection, else the clicked row, else pickers (from the palette). */
export async function targetChanges(env: ChangesEnv, clicked: unknown, selected: unknown, title: string, canPickMany = true): Promise<ChangeTarget[]> {
  const nodes = Array.isArray(selected) && selected.length > 0 ? selected.filter(isNode) : isNode(clicked) ? [clicked] : [];
  if (nodes.length === 0) {
    const workspace = await targetWorkspace(env, undefined, title);
    if (!workspace) return [];
    const changes = await pickChanges(env, workspace, title, canPickMany);
    return changes.length ? [{ workspace, changes }] : [];
  }
  const targets = new Map<string, ChangeTarget>();
  for (const node of nodes) {
    const changes = node.kind === 'change' ? [node.change] : node.kind === 'protectedGroup' ? node.changes : [];
    const key = workspaceKey(node.workspace);
    const target = targets.get(key) ?? { workspace: node.workspace, changes: [] };
    for (const change of changes) if (!target.changes.some((known) => known.path === change.path)) target.changes.push(change);
    targets.set(key, target);
  }
  return [...targets.values()].filter((target) => target.changes.length > 0);
}
