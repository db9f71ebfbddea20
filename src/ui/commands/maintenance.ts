import * as vscode from 'vscode';
import { aicliSettings } from '../settings';
import { buildImage } from '../../workspace/build';
import { CleanupPlan, describeCleanupPlan, describeKept, isEmptyPlan, parseDuration } from '../../workspace/cleanup';
import { EngineScope } from '../../workspace/scope';
import { showFailure } from '../notify';
import { CommandContext } from './context';
import { CommandRun, registerCommand } from './kernel';

function maxAgeMs(): number {
  return parseDuration(aicliSettings('aicli.cleanup').get<string>('maxAge', '7d'));
}

/** One plan per engine that answers (an engine that is down has nothing to clean now); the empty ones left out. */
export async function planEveryEngine(context: CommandContext, run: CommandRun): Promise<{ scope: EngineScope; plan: CleanupPlan }[]> {
  const several = context.scopes.all.length > 1;
  const plans = await Promise.all(
    context.scopes.all.map(async (scope) => {
      if (several && scope.engine.state.kind !== 'connected') return undefined;
      try {
        return { scope, plan: await scope.cleanup.plan({ maxAgeMs: maxAgeMs() }) };
      } catch (err) {
        run.on(scope);
        throw err;
      }
    }),
  );
  const answered = plans.filter((entry): entry is NonNullable<typeof entry> => entry !== undefined);
  // Review workspaces with unapplied changes are never cleaned up from here: say which were kept.
  answered.flatMap(({ plan }) => describeKept(plan)).forEach((line) => context.log.info(`cleanup: ${line}`));
  return answered.filter((entry) => !isEmptyPlan(entry.plan));
}

/** Plans, shows the list, asks (unless on startup), removes exactly what was listed — on every engine. */
export async function runCleanup(context: CommandContext, confirm: boolean, run = new CommandRun()): Promise<void> {
  try {
    const plans = await planEveryEngine(context, run);
    if (plans.length === 0) {
      if (confirm)
        void vscode.window.showInformationMessage(
          'Nothing to clean up: no expired workspaces, orphaned networks, dangling images or unused volumes that AICLI manages.',
        );
      return;
    }
    const several = context.scopes.all.length > 1;
    const listing = plans.flatMap(({ scope, plan }) => describeCleanupPlan(plan).map((line) => (several ? `${scope.name}: ${line}` : line)));
    if (confirm) {
      const picked = await vscode.window.showWarningMessage(
        'Remove these managed resources?',
        { modal: true, detail: `${listing.join('\n')}\n\nProject folders are never touched; unlabelled resources are never listed.` },
        'Remove',
      );
      if (picked !== 'Remove') return;
    }
    const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Cleaning up managed resources' }, () =>
      Promise.all(plans.map(({ scope, plan }) => scope.cleanup.apply(plan, confirm ? 'command' : 'startup'))),
    );
    const result = { removed: results.flatMap((r) => r.removed), gone: results.flatMap((r) => r.gone), failed: results.flatMap((r) => r.failed) };
    context.log.info(`cleanup: removed ${result.removed.length}, already gone ${result.gone.length}, failed ${result.failed.length}`);
    if (result.failed.length)
      void vscode.window
        .showErrorMessage(`Cleanup could not remove ${result.failed.length} item(s); see the AICLI Workspaces log.`, 'Show Log')
        .then((p) => p && context.log.show(true));
    context.scopes.all.forEach((scope) => void scope.index.resync());
  } catch (err) {
    await showFailure(err, { engine: run.engine, log: context.log, doing: 'Clean up' });
  }
}

export function registerMaintenanceCommands(context: CommandContext, buildChannel: vscode.OutputChannel): vscode.Disposable[] {
  return [
    registerCommand(context.log, 'aicli.cleanup', 'Clean up', (run: CommandRun) => runCleanup(context, true, run)),
    registerCommand(context.log, 'aicli.buildImage', 'Build image', async (run: CommandRun, given?: { tag?: string; engine?: string }) => {
      // The default engine, unless a create on another engine asked for this image.
      const scope = run.on(context.scopes.byName(given && typeof given === 'object' ? given.engine : undefined));
      const folder = (
        await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Build Context (with a Dockerfile)' })
      )?.[0];
      if (!folder) return undefined;
      const suggested = given && typeof given === 'object' && typeof given.tag === 'string' ? given.tag : 'aicli/workspace:latest';
      const tag = (
        await vscode.window.showInputBox({
          title: 'Image tag',
          value: suggested,
          validateInput: (v) =>
            /^[a-z0-9][a-z0-9._/:-]*(:[\w.-]+)?$/.test(v.trim()) ? undefined : 'Use lower-case [registry/]name[:tag], e.g. aicli/python:3',
        })
      )?.trim();
      if (!tag) return undefined;
      buildChannel.show(true);
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Building ${tag}`, cancellable: true },
        async (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          try {
            await buildImage(await scope.connection(), { context: folder.fsPath, tag, signal: abort.signal }, (line) => buildChannel.appendLine(line));
            void vscode.window.showInformationMessage(`Built ${tag}.`);
            return tag;
          } catch (err) {
            await showFailure(err, { engine: scope.engine, log: context.log, doing: `Build ${tag}` });
            return undefined;
          }
        },
      );
    }),
  ];
}
