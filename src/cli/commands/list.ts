import { Command } from '../command';
import { table, workspaceJson, workspaceRow } from '../output';

export const list: Command = {
  names: ['list'],
  synopsis: ['[--json]'],
  description: ['Managed workspaces'],
  async run({ scope, json }) {
    const workspaces = await (await scope()).service.list();
    if (json) console.log(JSON.stringify(workspaces.map(workspaceJson), null, 2));
    else console.log(table(['NAME', 'ID', 'STATE', 'LEVEL', 'IMAGE', 'FOLDER', 'PORTS'], workspaces.map(workspaceRow)));
    return 0;
  },
};
