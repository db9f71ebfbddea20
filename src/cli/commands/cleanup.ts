import { describeCleanupPlan, describeKept, isEmptyPlan, parseDuration } from '../../workspace/cleanup';
import { single } from '../args';
import { Command } from '../command';
import { labelArguments } from '../options';

export const cleanup: Command = {
  names: ['cleanup'],
  synopsis: ['[--dry-run] [--max-age 7d] [--label K=V]... [--include-unapplied] [--json]'],
  description: [
    'Remove exited managed workspaces older than --max-age',
    '(container + network; folders are kept), orphaned managed',
    'networks, dangling managed images and unused managed volumes;',
    '--label limits it to resources with those labels too; a review',
    'workspace with unapplied changes is kept unless --include-unapplied',
  ],
  values: ['--max-age', '--label'],
  booleans: ['--dry-run', '--include-unapplied'],
  async run({ args, scope, json }) {
    const engine = await scope();
    const plan = await engine.cleanup.plan({
      maxAgeMs: parseDuration(single(args, '--max-age') ?? '7d', 'max-age'),
      labels: labelArguments(args),
      includeUnapplied: args.booleans.has('--include-unapplied'),
    });
    describeKept(plan).forEach((line) => console.error(line));
    const dryRun = args.booleans.has('--dry-run');
    if (dryRun || isEmptyPlan(plan)) {
      if (json) console.log(JSON.stringify({ dryRun, plan }, null, 2));
      else console.log(isEmptyPlan(plan) ? 'Nothing to clean up.' : ['Would remove:', ...describeCleanupPlan(plan).map((line) => `  ${line}`)].join('\n'));
      return 0;
    }
    const result = await engine.cleanup.apply(plan, 'cli');
    if (json) console.log(JSON.stringify({ dryRun, plan, result }, null, 2));
    else {
      result.removed.forEach((item) => console.log(`Removed ${item}`));
      result.gone.forEach((item) => console.log(`Already gone: ${item}`));
      result.failed.forEach(({ item, message }) => console.error(`Could not remove ${item}: ${message}`));
    }
    return result.failed.length > 0 ? 1 : 0;
  },
};
