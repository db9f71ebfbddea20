import * as vscode from 'vscode';
import { actionRow, ActionRow, workspaceActions } from '../../workspace/actions';
import { Workspace } from '../../workspace/model';
import { inReview } from '../../workspace/review/service';
import { Lifecycle } from '../../workspace/service';
import { offerUnfreeze } from '../monitor/quickFixes';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { CommandId } from './ids';
import { CommandRun, registerCommand } from './kernel';
import { targetWorkspaces } from './targets';

/**
 * Workspaces the engine no longer answers for (see monitor/frozen.ts) are left out: any call
 * on them would hang. The user is told why and offered the way out instead.
 */
async function withoutFrozen(context: CommandContext, title: string, workspaces: Workspace[]): Promise<Workspace[]> {
  const stillFrozen = await Promise.all(
    workspaces.map((ws) =>
      context.scopes
        .of(ws)
        .monitor.stillFrozen(ws.containerId)
        .catch(() => false),
    ),
  );
  const frozen = workspaces.filter((_, i) => stillFrozen[i]);
  const first = frozen[0];
  if (first) {
    const names = frozen.map((ws) => ws.name).join(', ');
    offerUnfreeze(
      `${title} of ${names} would hang: the engine stopped answering for it after a pause (an exec frozen half-way). Unfreeze it first, as root on the engine's host.`,
      first.containerId,
    );
  }
  return workspaces.filter((ws) => !frozen.includes(ws));
}

/** Runs on every workspace at once; the first failure is shown, with Retry on that workspace's engine. */
async function runOnEach(context: CommandContext, run: CommandRun, title: string, all: Workspace[], act: (ws: Workspace) => Promise<unknown>): Promise<void> {
  const workspaces = await withoutFrozen(context, title, all);
  if (workspaces.length === 0) return;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${title} ${workspaces.map((ws) => ws.name).join(', ')}` },
    async () => {
      const results = await Promise.allSettled(workspaces.map(act));
      const failedAt = results.findIndex((result) => result.status === 'rejected');
      const failed = results[failedAt];
      if (failed?.status === 'rejected') {
        run.on(context.scopes.of(workspaces[failedAt]!));
        throw failed.reason;
      }
    },
  );
}

/** "ws has 3 unapplied changes; they are lost with it", for each review workspace with any; a read that fails is said, not a block. */
async function unappliedNotes(context: CommandContext, workspaces: Workspace[]): Promise<string[]> {
  const notes = await Promise.all(
    workspaces.filter(inReview).map(async (ws) => {
      try {
        const count = (await context.scopes.of(ws).changes.list(ws)).length;
        if (count === 0) return undefined;
        return `${ws.name} has ${count} unapplied change${count === 1 ? '; it is' : 's; they are'} lost with it.`;
      } catch (err) {
        return `The changes of ${ws.name} could not be read (${err instanceof Error ? err.message : String(err)}): any it has are lost with it.`;
      }
    }),
  );
  return notes.filter((note): note is string => note !== undefined);
}

const isLifecycle = (row: ActionRow): row is ActionRow & { action: Lifecycle } => row.action !== 'remove';

export function registerLifecycleCommands(context: CommandContext): vscode.Disposable[] {
  const disposables = workspaceActions.filter(isLifecycle).map(({ command, action, title }) =>
    // actions.ts is core (no UI ids); test/unit/commandIds.test.ts checks its commands are in the table.
    registerCommand(context.log, command as CommandId, title, async (run: CommandRun, clicked?: TreeNode, selected?: TreeNode[]) => {
      const workspaces = await targetWorkspaces(context, clicked, selected, { title: `${title} Workspace`, canPickMany: true, action });
      await runOnEach(context, run, title, workspaces, (ws) => context.scopes.of(ws).service.lifecycle(ws.containerId, action));
    }),
  );
  const remove = actionRow('remove');
  disposables.push(
    registerCommand(context.log, remove.command as CommandId, 'Remove', async (run: CommandRun, clicked?: TreeNode, selected?: TreeNode[]) => {
      const workspaces = await targetWorkspaces(context, clicked, selected, { title: 'Remove Workspace', canPickMany: true, action: 'remove' });
      if (workspaces.length === 0) return;
      const names = workspaces.map((ws) => ws.name).join(', ');
      const unapplied = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Reading unapplied changes' }, () =>
        unappliedNotes(context, workspaces),
      );
      const keep = unapplied.length ? ' Apply what you want to keep from the Changes view first.' : '';
      const deleted = workspaces.some(inReview) ? 'The container, its network and the volume of its changes are' : 'The container and its network are';
      const confirmed = await vscode.window.showWarningMessage(
        [`Remove ${workspaces.length === 1 ? 'workspace' : `${workspaces.length} workspaces`} ${names}?`, ...unapplied].join(' '),
        { modal: true, detail: `${deleted} deleted. Your project folder and its files are kept.${keep}` },
        'Remove',
      );
      if (confirmed !== 'Remove') return;
      await runOnEach(context, run, 'Remove', workspaces, (ws) => context.scopes.of(ws).service.remove(ws.containerId));
    }),
  );
  return disposables;
}
