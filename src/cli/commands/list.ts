import { listing } from '../listing';
import { workspaceJson, workspaceRow } from '../output';

export const list = listing({
  name: 'list',
  description: 'Managed workspaces',
  read: (scope) => scope.service.list(),
  json: (workspaces) => workspaces.map(workspaceJson),
  columns: ['NAME', 'ID', 'STATE', 'LEVEL', 'IMAGE', 'FOLDER', 'PORTS'],
  row: workspaceRow,
});
