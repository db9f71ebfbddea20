import { Workspace } from '../workspace/model';

// The table is the core's (the alerts report prints one too); the CLI's tables use it from here.
export { table } from '../monitor/reportTable';

export function workspaceRow(ws: Workspace): string[] {
  const ports = ws.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(',');
  return [ws.name, ws.id, ws.state, ws.level, ws.image, ws.folder, ports];
}

export function workspaceJson(ws: Workspace): object {
  return { ...ws, createdAt: ws.createdAt.toISOString() };
}
