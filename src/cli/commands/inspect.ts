import { Command } from '../command';
import { nameArgument } from '../options';

export const inspect: Command = {
  names: ['inspect'],
  synopsis: ['NAME'],
  description: ["Engine inspect of a workspace's container (JSON)"],
  async run({ verb, args, scope }) {
    const name = nameArgument(args, verb);
    console.log(JSON.stringify(await (await scope()).service.inspect(name), null, 2));
    return 0;
  },
};
