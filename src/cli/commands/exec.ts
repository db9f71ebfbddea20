import { UsageError } from '../args';
import { Command } from '../command';
import { nameArgument } from '../options';

export const exec: Command = {
  names: ['exec'],
  synopsis: ['NAME -- CMD [ARGS...]'],
  description: ['Run a command in /workspace; its exit code is passed through'],
  async run({ verb, args, scope }) {
    if (args.rest.length === 0) throw new UsageError('exec needs a command after --, e.g. exec my-ws -- ls -la');
    const name = nameArgument(args, verb);
    return (await scope()).service.exec(name, args.rest, { stdout: process.stdout, stderr: process.stderr });
  },
};
