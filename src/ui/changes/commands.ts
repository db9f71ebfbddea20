import * as vscode from 'vscode';
import { Workspace } from '../../workspace/model';
import { Change } from '../../workspace/review/changes';
import { CommandRun, registerCommand } from '../commands/kernel';
import { openChangeDiff } from './boxFiles';
import { ChangeCommandOptions, confirmApply, confirmDiscard, confirmDiscardAll, optionsOf } from './confirm';
import { leftText, plurals } from './summary';
import { ChangesEnv, ChangeTarget, freshChanges, targetChanges, targetWorkspace } from './targets';

const withNotice = <T>(title: string, work: () => Promise<T>): Thenable<T> =>
  vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, work);

const named = (changes: Change[]): string => (changes.length === 1 ? changes[0]!.path : plurals.changes(changes.length));

/** Runs the work on the workspace's engine, then reads its changes again whatever happened (the view shows what is left). */
async function onWorkspace<T>(env: ChangesEnv, run: CommandRun, workspace: Workspace, title: string, work: () => Promise<T>): Promise<T> {
  run.on(env.context.scopes.of(workspace));
  try {
    return await withNotice(title, work);
  } finally {
    await env.model.read(workspace);
  }
}

/** Apply Change: the plain changes in one call; each confirmed protected path or conflict in its own, allowed for it alone. */
async function applyChanges(env: ChangesEnv, run: CommandRun, target: ChangeTarget, options: ChangeCommandOptions): Promise<void> {
  const { workspace } = target;
  const { take, left } = await confirmApply(workspace, target.changes, options);
  if (take.length === 0) return;
  const changes = env.context.scopes.of(workspace).changes;
  const plain = take.filter((change) => !change.protected && !change.conflict);
  const confirmed = take.filter((change) => change.protected || change.conflict);
  const applied = await onWorkspace(env, run, workspace, `Applying ${named(take)} of ${workspace.name} to its folder`, async () => {
    const done = plain.length
      ? await changes.apply(
          workspace,
          plain.map((change) => change.path),
        )
      : [];
    for (const change of confirmed) {
      done.push(...(await changes.apply(workspace, [change.path], { includeProtected: change.protected, overwriteConflicts: change.conflict })));
    }
    return done;
  });
  const notApplied = left.length ? ` Not applied (not confirmed): ${left.map((change) => change.path).join(', ')}.` : '';
  void vscode.window.showInformationMessage(`Applied ${named(applied)} of ${workspace.name} to ${workspace.folder}.${notApplied}`);
}

/** Apply All: never a protected path, never a conflict (the core leaves them out); says what it left. */
async function applyAll(env: ChangesEnv, run: CommandRun, workspace: Workspace): Promise<void> {
  const applied = await onWorkspace(env, run, workspace, `Applying the changes of ${workspace.name} to its folder`, () =>
    env.context.scopes.of(workspace).changes.apply(workspace, 'all'),
  );
  const left = (env.model.lastRead(workspace)?.changes ?? []).filter((change) => change.protected || change.conflict);
  const done = applied.length ? `Applied ${named(applied)} of ${workspace.name} to ${workspace.folder}.` : `Nothing to apply in ${workspace.name}.`;
  const rest = left.length ? ` Left for you to apply one by one, each after its own confirmation: ${leftText(left)}.` : '';
  void vscode.window.showInformationMessage(done + rest);
}

async function discardChanges(env: ChangesEnv, run: CommandRun, target: ChangeTarget, options: ChangeCommandOptions): Promise<void> {
  const { workspace, changes } = target;
  if (!(await confirmDiscard(workspace, changes, options))) return;
  const paths = changes.map((change) => change.path);
  await onWorkspace(env, run, workspace, `Discarding ${named(changes)} of ${workspace.name}`, () =>
    env.context.scopes.of(workspace).changes.discard(workspace, paths),
  );
}

/** Discard All ("reset to clean"): every change, after a modal that counts them. */
async function discardAll(env: ChangesEnv, run: CommandRun, workspace: Workspace, options: ChangeCommandOptions): Promise<void> {
  run.on(env.context.scopes.of(workspace));
  const changes = await freshChanges(env, workspace);
  if (changes.length === 0) {
    void vscode.window.showInformationMessage(`${workspace.name} has no changes: it is clean.`);
    return;
  }
  if (!(await confirmDiscardAll(workspace, changes, options))) return;
  await onWorkspace(env, run, workspace, `Resetting ${workspace.name} to clean`, () => env.context.scopes.of(workspace).changes.discard(workspace, 'all'));
}

/** Refresh Changes: the clicked workspace, else every review workspace (and the lists of engines gone stale). */
async function refresh(env: ChangesEnv, clicked: unknown): Promise<void> {
  const one = clicked ? await targetWorkspace(env, clicked, 'Refresh Changes') : undefined;
  if (one) {
    await env.model.read(one);
    return;
  }
  await env.model.resyncIndexes();
  await Promise.all(env.model.workspaces().map((workspace) => env.model.read(workspace)));
}

export function registerChangeCommands(env: ChangesEnv): vscode.Disposable[] {
  const { log } = env.context;
  return [
    registerCommand(log, 'aicli.changes.apply', 'Apply change', async (run: CommandRun, clicked?: unknown, selected?: unknown, options?: unknown) => {
      for (const target of await targetChanges(env, clicked, selected, 'Apply Change')) await applyChanges(env, run, target, optionsOf(options));
    }),
    registerCommand(log, 'aicli.changes.applyAll', 'Apply all changes', async (run: CommandRun, clicked?: unknown) => {
      const workspace = await targetWorkspace(env, clicked, 'Apply All Changes');
      if (workspace) await applyAll(env, run, workspace);
    }),
    registerCommand(log, 'aicli.changes.discard', 'Discard change', async (run: CommandRun, clicked?: unknown, selected?: unknown, options?: unknown) => {
      for (const target of await targetChanges(env, clicked, selected, 'Discard Change')) await discardChanges(env, run, target, optionsOf(options));
    }),
    registerCommand(
      log,
      'aicli.changes.discardAll',
      'Discard all changes',
      async (run: CommandRun, clicked?: unknown, _selected?: unknown, options?: unknown) => {
        const workspace = await targetWorkspace(env, clicked, 'Discard All Changes');
        if (workspace) await discardAll(env, run, workspace, optionsOf(options));
      },
    ),
    registerCommand(log, 'aicli.changes.refresh', 'Refresh changes', (_run: CommandRun, clicked?: unknown) => refresh(env, clicked)),
    registerCommand(log, 'aicli.changes.openDiff', 'Open diff', async (_run: CommandRun, clicked?: unknown) => {
      const [target] = await targetChanges(env, clicked, undefined, 'Open Diff', false);
      const change = target?.changes[0];
      if (target && change) await openChangeDiff(target.workspace, change);
    }),
  ];
}
