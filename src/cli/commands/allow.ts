import { UsageError } from '../args';
import { Command } from '../command';

export const allow: Command = {
  names: ['allow'],
  synopsis: ['NAME HOST...'],
  description: [
    'Let a workspace reach more hosts (names, *.domain, IPv4 CIDRs); kept with',
    'its egress gateway on the engine, applied by restarting the gateway',
  ],
  async run({ args, scope }) {
    const [name, ...entries] = args.positional.slice(1);
    if (!name || entries.length === 0) throw new UsageError('allow needs a workspace and at least one host, e.g. allow my-ws api.example.com');
    const engine = await scope();
    const workspace = await engine.service.find(name);
    const plan = await engine.allowEgress(workspace, entries);
    console.log(
      `${workspace.name} may now reach ${entries.join(', ')} (egress ${plan.mode}; allowed: ${[...plan.allow.domains, ...plan.allow.cidrs].join(', ')})`,
    );
    return 0;
  },
};
