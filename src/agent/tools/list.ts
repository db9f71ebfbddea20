import { z } from 'zod';
import { labels } from '../../workspace/model';
import { agentMayUse } from '../policy';
import { defineTool } from '../tool';

export const workspaceList = defineTool({
  name: 'workspace_list',
  title: 'List workspaces',
  description: 'Lists the managed workspaces on the engine: name, state, isolation level, folder, image and project mount mode.',
  input: z.strictObject({}),
  readOnly: true,
  destructive: false,
  async run(host) {
    const all = await host.scope.service.list();
    const workspaces = all.filter((ws) => agentMayUse(host.policy, ws) === undefined);
    const rows = workspaces.map((ws) => ({
      name: ws.name,
      id: ws.id,
      state: ws.state,
      level: ws.level,
      folder: ws.folder,
      image: ws.image,
      mount: ws.labels[labels.mount] ?? 'bind',
    }));
    const hidden = all.length - workspaces.length;
    const others = hidden ? `\n(${hidden} other workspace(s) on this engine are not open to agents here: other folders or weaker levels.)` : '';
    const text = rows.length
      ? rows.map((row) => `${row.name}  ${row.state}  level ${row.level}  mount ${row.mount}  ${row.folder}  (${row.image})`).join('\n') + others
      : `No workspaces you may use; workspace_create makes one for a folder.${others}`;
    return { text, data: { workspaces: rows }, summary: `${rows.length} workspace(s)` };
  },
});
