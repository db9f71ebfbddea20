import { Change } from '../../workspace/review/changes';
import { diffStat } from '../../workspace/review/unifiedDiff';
import { UsageError } from '../args';
import { Command, CommandContext } from '../command';
import { nameArgument } from '../options';

/**
 * diff / apply / discard of a review-mode workspace. Exit codes say what is left: 0 nothing
 * left unapplied, 3 changes remain (diff: there are changes; apply: some were left out, e.g.
 * protected paths or conflicts), 1 an error.
 */
export const changesLeft = 3;

const changeJson = (change: Change): Record<string, unknown> => ({
  path: change.path,
  kind: change.kind,
  protected: change.protected,
  conflict: change.conflict,
  binary: change.binary,
  box: change.box,
  host: change.host,
});

async function target(ctx: CommandContext) {
  const name = nameArgument(ctx.args, ctx.verb);
  const scope = await ctx.scope();
  return { scope, workspace: await scope.service.find(name) };
}

export const diff: Command = {
  names: ['diff'],
  synopsis: ['NAME [--stat] [--json] [PATH...]'],
  description: ['What a review workspace changed against its folder: a unified diff', '(git diff style) on stdout; exit 3 when there are changes'],
  booleans: ['--stat'],
  async run(ctx) {
    const { scope, workspace } = await target(ctx);
    const paths = ctx.args.positional.slice(2);
    // --stat and --json need the list only, not every file's text.
    if (ctx.json || ctx.args.booleans.has('--stat')) {
      const changes = (await scope.changes.list(workspace)).filter(
        (change) => !paths.length || paths.some((path) => change.path === path || change.path.startsWith(`${path}/`)),
      );
      console.log(ctx.json ? JSON.stringify({ workspace: workspace.name, changes: changes.map(changeJson) }, null, 2) : diffStat(changes).join('\n'));
      return changes.length ? changesLeft : 0;
    }
    const { changes, lines } = await scope.changes.diff(workspace, paths);
    if (lines.length) console.log(lines.join('\n'));
    return changes.length ? changesLeft : 0;
  },
};

export const apply: Command = {
  names: ['apply'],
  synopsis: ['NAME [PATH...] [--all] [--include-protected] [--overwrite]'],
  description: [
    'Apply changes of a review workspace to its folder (as the folder’s owner):',
    'the PATHs, or --all (never protected paths nor conflicts);',
    '--include-protected / --overwrite: also those, when named; exit 3 if any are left',
  ],
  booleans: ['--all', '--include-protected', '--overwrite'],
  async run(ctx) {
    const paths = ctx.args.positional.slice(2);
    const all = ctx.args.booleans.has('--all');
    if (!all && paths.length === 0) throw new UsageError('apply needs PATH... or --all, e.g. apply my-ws src/index.ts');
    const { scope, workspace } = await target(ctx);
    const applied = await scope.changes.apply(workspace, all ? 'all' : paths, {
      includeProtected: ctx.args.booleans.has('--include-protected'),
      overwriteConflicts: ctx.args.booleans.has('--overwrite'),
    });
    const left = await scope.changes.list(workspace);
    if (ctx.json) console.log(JSON.stringify({ applied: applied.map(changeJson), left: left.map(changeJson) }, null, 2));
    else {
      applied.forEach((change) => console.log(`Applied ${change.path} (${change.kind})`));
      if (left.length)
        console.error(
          `Left unapplied: ${left.map((change) => `${change.path}${change.protected ? ' (protected)' : change.conflict ? ' (conflict)' : ''}`).join(', ')}`,
        );
    }
    return left.length ? changesLeft : 0;
  },
};

export const discard: Command = {
  names: ['discard'],
  synopsis: ['NAME [PATH...]'],
  description: ['Give a review workspace the folder’s copy back: of the PATHs, or of every change'],
  async run(ctx) {
    const { scope, workspace } = await target(ctx);
    const paths = ctx.args.positional.slice(2);
    const discarded = await scope.changes.discard(workspace, paths.length ? paths : 'all');
    if (ctx.json) console.log(JSON.stringify({ discarded: discarded.map(changeJson) }, null, 2));
    else console.log(discarded.length ? discarded.map((change) => `Discarded ${change.path}`).join('\n') : 'Nothing to discard.');
    return (await scope.changes.list(workspace)).length ? changesLeft : 0;
  },
};
