import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { Workspace } from '../workspace/model';
import { WorkspaceService } from '../workspace/service';

const caseInsensitivePaths = process.platform === 'win32' || process.platform === 'darwin';

function sameFolder(a: string, b: string): boolean {
  const [left, right] = [resolve(a), resolve(b)];
  return caseInsensitivePaths ? left.toLowerCase() === right.toLowerCase() : left === right;
}

/** Workspaces whose aicli.workspace.folder is an open folder; the active editor's folder first. */
export function workspacesOfOpenFolders(candidates: Workspace[]): Workspace[] {
  const activeUri = vscode.window.activeTextEditor?.document.uri;
  const active = activeUri ? vscode.workspace.getWorkspaceFolder(activeUri) : undefined;
  const folders = [...(active ? [active] : []), ...(vscode.workspace.workspaceFolders ?? []).filter((folder) => folder !== active)];
  for (const folder of folders) {
    const matches = candidates.filter((ws) => sameFolder(ws.folder, folder.uri.fsPath));
    if (matches.length) return matches;
  }
  return [];
}

/** A Workspace from a command argument: a Workspace, a tree item carrying one, or a name/id. */
export async function workspaceFromArgument(service: WorkspaceService, argument: unknown): Promise<Workspace | undefined> {
  const isWorkspace = (value: unknown): value is Workspace => typeof (value as Workspace | undefined)?.containerId === 'string';
  if (isWorkspace(argument)) return argument;
  const carried = (argument as { workspace?: unknown } | undefined)?.workspace;
  if (isWorkspace(carried)) return carried;
  if (typeof argument === 'string' && argument) return service.find(argument);
  return undefined;
}

/**
 * The running workspace of the current folder, or the user's choice when that is not one
 * workspace. Undefined when the user dismisses the pick; throws when none is running.
 */
export async function pickRunningWorkspace(service: WorkspaceService, title: string, token?: vscode.CancellationToken): Promise<Workspace | undefined> {
  const running = (await service.list()).filter((ws) => ws.state === 'running');
  if (running.length === 0) throw new Error('No AICLI workspace is running. Create or start one in the Workspaces view first.');
  const here = workspacesOfOpenFolders(running);
  if (here.length === 1) return here[0];
  const choices = here.length > 1 ? here : running;
  const picked = await vscode.window.showQuickPick(
    choices.map((ws) => ({ label: ws.name, description: ws.folder, detail: `${ws.level} · ${ws.status}`, workspace: ws })),
    { title, placeHolder: 'Workspace', matchOnDescription: true },
    token,
  );
  return picked?.workspace;
}
