import type { Lifecycle } from '../../workspace/service';
import { Command } from '../command';
import { nameArgument } from '../options';
import { workspaceJson } from '../output';

const actions: Lifecycle[] = ['start', 'stop', 'restart', 'pause', 'unpause'];

export const lifecycle: Command = {
  names: actions,
  synopsis: ['NAME'],
  async run({ verb, args, scope, json }) {
    const name = nameArgument(args, verb);
    const workspace = await (await scope()).service.lifecycle(name, verb as Lifecycle);
    console.log(json ? JSON.stringify(workspaceJson(workspace), null, 2) : `${workspace.name}: ${workspace.state}`);
    return 0;
  },
};
