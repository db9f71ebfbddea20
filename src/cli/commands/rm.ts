import { UsageError } from '../args';
import { Command } from '../command';
import { InputError } from '../../engine/errors';
import { inReview } from '../../workspace/review/service';

export const rm: Command = {
  names: ['rm'],
  synopsis: ['NAME... [--force]'],
  description: ['Remove workspaces (container + network; the folder is kept);', '--force: also one with unapplied review changes (they are lost)'],
  booleans: ['--force'],
  async run({ args, scope }) {
    const names = args.positional.slice(1);
    if (names.length === 0) throw new UsageError('rm needs at least one workspace name or id.');
    const { service, changes } = await scope();
    for (const name of names) {
      const workspace = await service.find(name);
      const unapplied = inReview(workspace) && !args.booleans.has('--force') ? (await changes.list(workspace)).length : 0;
      if (unapplied > 0) {
        throw new InputError(
          'workspace',
          `${workspace.name} has ${unapplied} unapplied change(s) (aicli-ws diff ${workspace.name} --stat): apply or discard them, or rm --force to lose them.`,
        );
      }
      await service.remove(name);
      console.log(`Removed ${name} (its folder is kept)`);
    }
    return 0;
  },
};
