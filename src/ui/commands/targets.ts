import * as vscode from 'vscode';
import { Workspace } from '../../workspace/model';
import { stateText, TreeNode } from '../tree/nodes';
import { CommandContext } from './context';

/**
 * The workspaces a command acts on: the multi-selection, else the clicked row, else a quick
 * pick (from the palette). `accepts` limits the pick to workspaces the action makes sense for.
 */
export async function targetWorkspaces(
  context: CommandContext,
  clicked: TreeNode | undefined,
  selected: TreeNode[] | undefined,
  options: { title: string; canPickMany: boolean; accepts?: (workspace: Workspace) => boolean },
): Promise<Workspace[]> {
  const fromTree = (selected?.length ? selected : clicked ? [clicked] : []).flatMap((node) => (node.kind === 'workspace' ? [node.workspace] : []));
  if (fromTree.length > 0) return fromTree;
  await context.scopes.resync();
  const candidates = context.scopes.workspaces().filter(options.accepts ?? (() => true));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`No workspace to ${options.title.toLowerCase()}.`, 'Create Workspace').then((picked) => {
      if (picked) void vscode.commands.executeCommand('aicli.createWorkspace');
    });
    return [];
  }
  const items = candidates.map((workspace) => ({
    label: workspace.name,
    description: `${stateText(workspace)} · ${workspace.level} · ${workspace.image}${workspace.engine ? ` · on ${workspace.engine}` : ''}`,
    detail: workspace.folder,
    workspace,
  }));
  if (options.canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title: options.title, canPickMany: true, placeHolder: 'Select workspaces' });
    return (picked ?? []).map((item) => item.workspace);
  }
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: 'Select a workspace' });
  return picked ? [picked.workspace] : [];
}
