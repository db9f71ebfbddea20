import { UsageError } from '../args';
import { Command } from '../command';

export const rm: Command = {
  names: ['rm'],
  synopsis: ['NAME...'],
  description: ['Remove workspaces (container + network; the folder is kept)'],
  async run({ args, scope }) {
    const names = args.positional.slice(1);
    if (names.length === 0) throw new UsageError('rm needs at least one workspace name or id.');
    const { service } = await scope();
    for (const name of names) {
      await service.remove(name);
      console.log(`Removed ${name} (its folder is kept)`);
    }
    return 0;
  },
};
