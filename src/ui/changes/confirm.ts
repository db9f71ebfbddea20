import * as vscode from 'vscode';
import { Workspace } from '../../workspace/model';
import { Change } from '../../workspace/review/changes';
import { openChangeDiff } from './boxFiles';
import { plurals } from './summary';

/**
 * What a caller other than a person (a test, another extension's automation) may pass as the
 * last argument of a Changes command: the paths it has confirmed itself, or 'all'. A path it
 * names skips its modal; every other one still gets it. Documented in the README.
 */
export interface ChangeCommandOptions {
  confirmed?: readonly string[] | 'all';
}

export function optionsOf(given: unknown): ChangeCommandOptions {
  if (!given || typeof given !== 'object' || !('confirmed' in given)) return {};
  const { confirmed } = given as { confirmed: unknown };
  if (confirmed === 'all') return { confirmed };
  return Array.isArray(confirmed) ? { confirmed: confirmed.filter((path): path is string => typeof path === 'string') } : {};
}

const confirmedBy = (options: ChangeCommandOptions, paths: string[]): boolean =>
  options.confirmed === 'all' || paths.every((path) => options.confirmed?.includes(path));

/** The modal of one protected path or conflict, naming it; "Show Diff" opens the diff and applies nothing. */
async function askApply(workspace: Workspace, change: Change): Promise<boolean> {
  const overwrite = 'It was also changed in the folder since the workspace saw it: applying overwrites your edit.';
  const [message, detail, button] = change.protected
    ? [
        `Apply ${change.path}?`,
        'The host runs this file by itself (a protected path, aicli.workspace.protectedPaths): what the workspace wrote there takes effect on your machine, outside the box, the next time Git, VS Code or a tool reads it. Review each line in the diff first.' +
          (change.conflict ? ` ${overwrite}` : ''),
        'Apply',
      ]
    : [
        `Overwrite your edit of ${change.path}?`,
        `${change.path} was changed in the folder since the workspace saw it (a conflict): applying replaces the folder's copy, your edit with it, by the workspace's version.`,
        'Overwrite',
      ];
  const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, button, 'Show Diff');
  if (picked === 'Show Diff') await openChangeDiff(workspace, change);
  return picked === button;
}

/** Splits the chosen changes into those to apply (each protected path or conflict confirmed on its own) and those left. */
export async function confirmApply(workspace: Workspace, changes: Change[], options: ChangeCommandOptions): Promise<{ take: Change[]; left: Change[] }> {
  const take: Change[] = [];
  const left: Change[] = [];
  for (const change of changes) {
    const asks = change.protected || change.conflict;
    (!asks || confirmedBy(options, [change.path]) || (await askApply(workspace, change)) ? take : left).push(change);
  }
  return { take, left };
}

/** Discarding loses what the box wrote: one modal for the selection. */
export async function confirmDiscard(workspace: Workspace, changes: Change[], options: ChangeCommandOptions): Promise<boolean> {
  const paths = changes.map((change) => change.path);
  if (confirmedBy(options, paths)) return true;
  const what = changes.length === 1 ? `the workspace's change to ${paths[0]}` : `${plurals.changes(changes.length)} of ${workspace.name}`;
  const picked = await vscode.window.showWarningMessage(
    `Discard ${what}?`,
    {
      modal: true,
      detail: `${changes.length === 1 ? 'The path gets' : 'These paths get'} the folder's copy back in the workspace; what the box wrote there is lost. The folder is not touched.`,
    },
    'Discard',
  );
  return picked === 'Discard';
}

/** "Reset to clean": every change, protected paths and conflicts too. */
export async function confirmDiscardAll(workspace: Workspace, changes: Change[], options: ChangeCommandOptions): Promise<boolean> {
  if (
    confirmedBy(
      options,
      changes.map((change) => change.path),
    )
  )
    return true;
  const picked = await vscode.window.showWarningMessage(
    `Reset ${workspace.name} to clean?`,
    {
      modal: true,
      detail: `Discards all ${plurals.changes(changes.length)} of the workspace, protected paths and conflicts included: its /workspace becomes the folder as it is now. What the box wrote is lost; the folder is not touched.`,
    },
    'Discard All',
  );
  return picked === 'Discard All';
}
