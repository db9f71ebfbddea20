import { Workspace } from '../workspace/model';

export function workspaceRow(ws: Workspace): string[] {
  const ports = ws.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(',');
  return [ws.name, ws.id, ws.state, ws.level, ws.image, ws.folder, ports];
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function workspaceJson(ws: Workspace): object {
  return { ...ws, createdAt: ws.createdAt.toISOString() };
}
