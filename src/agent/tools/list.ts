import { z } from 'zod';
import { labels } from '../../workspace/model';
import { defineTool } from '../tool';

export const workspaceList = defineTool({
  name: 'workspace_list',
  title: 'List workspaces',
  description: 'Lists the managed workspaces on the engine: name, state, isolation level, folder, image and project mount mode.',
  input: z.object({}),
  readOnly: true,
  destructive: false,
  async run(host) {
    const workspaces = await host.scope.service.list();
    const rows = workspaces.map((ws) => ({
      name: ws.name,
      id: ws.id,
      state: ws.state,
      level: ws.level,
      folder: ws.folder,
      image: ws.image,
      mount: ws.labels[labels.mount] ?? 'bind',
    }));
    const text = rows.length
      ? rows.map((row) => `${row.name}  ${row.state}  level ${row.level}  mount ${row.mount}  ${row.folder}  (${row.image})`).join('\n')
      : 'No workspaces on this engine; workspace_create makes one for a folder.';
    return { text, data: { workspaces: rows }, summary: `${rows.length} workspace(s)` };
  },
});
