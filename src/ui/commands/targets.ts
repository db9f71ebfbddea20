import * as vscode from 'vscode';
import { actionFits, skippedNote, splitByAction, WorkspaceAction } from '../../workspace/actions';
import { Workspace } from '../../workspace/model';
import { stateText, TreeNode } from '../tree/nodes';
import { CommandContext } from './context';

/**
 * The workspaces a command acts on: the multi-selection, else the clicked row, else a quick
 * pick (from the palette). `accepts` limits the pick to workspaces the action makes sense for;
 * `action` takes that from the state → actions table and also filters the tree selection
 * (the menu is gated by the clicked row's state only), saying what it skipped.
 */
export async function targetWorkspaces(
  context: CommandContext,
  clicked: TreeNode | undefined,
  selected: TreeNode[] | undefined,
  options: { title: string; canPickMany: boolean; accepts?: (workspace: Workspace) => boolean; action?: WorkspaceAction },
): Promise<Workspace[]> {
  const { action } = options;
  const fromTree = (selected?.length ? selected : clicked ? [clicked] : []).flatMap((node) => (node.kind === 'workspace' ? [node.workspace] : []));
  if (fromTree.length > 0 && action) {
    const { fitting, skipped } = splitByAction(action, fromTree);
    const note = skippedNote(action, skipped);
    // Not awaited: the command goes on with the rest while the note is shown.
    if (note) void vscode.window.showInformationMessage(note);
    return fitting;
  }
  if (fromTree.length > 0) return fromTree;
  await context.scopes.resync();
  const accepts = options.accepts ?? (action ? (workspace: Workspace) => actionFits(action, workspace) : () => true);
  const candidates = context.scopes.workspaces().filter(accepts);
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
