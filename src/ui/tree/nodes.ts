import * as vscode from 'vscode';
import { EngineState } from '../../engine/engine';
import { Workspace } from '../../workspace/model';

/** What each row of the Workspaces view is; TreeItems are built from these on demand. */
export type TreeNode =
  | { kind: 'engine'; state: EngineState; engineName?: string }
  /** One engine's group when several are configured; `load` is filled in when the item is built. */
  | { kind: 'engineGroup'; name: string; state: EngineState; load: EngineLoad }
  | { kind: 'workspace'; workspace: Workspace }
  | { kind: 'port'; workspace: Workspace; port: Workspace['ports'][number] }
  | { kind: 'detail'; workspace: Workspace; detail: 'folder' | 'mount' | 'network' | 'egress' | 'limits'; label: string; value: string }
  | { kind: 'otherGroup' }
  | { kind: 'other'; id: string; name: string; image: string; state: string; status: string };

export interface EngineLoad {
  /** "Docker 20.10.24", "Podman 4.3.1" (see engine/product.ts). */
  version?: string;
  running: number;
  cpus?: number;
  memTotal?: number;
  /** Sums of the running workspaces' latest stats. */
  cpuPercent: number;
  memoryUsed: number;
}

export function exitCodeOf(status: string): number | undefined {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** 0, or the shell ending on the signal a stop sends (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export function isCleanExit(code: number | undefined): boolean {
  return code === undefined || code === 0 || code === 129 || code === 130 || code === 143;
}

export function isUnhealthy(workspace: Workspace): boolean {
  return workspace.state === 'running' && /\(unhealthy\)/.test(workspace.status);
}

/** Each state its own icon and colour, so a glance at the tree tells them apart. */
export function stateIcon(workspace: Workspace): vscode.ThemeIcon {
  const color = (id: string): vscode.ThemeColor => new vscode.ThemeColor(id);
  if (isUnhealthy(workspace)) return new vscode.ThemeIcon('warning', color('charts.orange'));
  switch (workspace.state) {
    case 'running':
      return new vscode.ThemeIcon('vm-running', color('charts.green'));
    case 'paused':
      return new vscode.ThemeIcon('debug-pause', color('charts.yellow'));
    case 'restarting':
      return new vscode.ThemeIcon('sync~spin', color('charts.blue'));
    case 'exited':
      return isCleanExit(exitCodeOf(workspace.status)) ? new vscode.ThemeIcon('vm-outline') : new vscode.ThemeIcon('error', color('charts.red'));
    case 'dead':
      return new vscode.ThemeIcon('close', color('charts.red'));
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

export function stateText(workspace: Workspace): string {
  if (isUnhealthy(workspace)) return 'unhealthy';
  if (workspace.state === 'exited') return `exited (${exitCodeOf(workspace.status) ?? '?'})`;
  return workspace.state;
}

/** contextValue encodes kind and state, so menus can be gated with `viewItem =~ /…/`. */
export function contextValueOf(node: TreeNode): string {
  switch (node.kind) {
    case 'engine':
      return node.state.kind === 'unreachable' ? 'engineError' : node.state.kind === 'connected' ? 'engineConnected' : 'engineConnecting';
    case 'engineGroup':
      return `engineGroup.${node.state.kind}`;
    case 'workspace':
      return `workspace.${node.workspace.state}${isUnhealthy(node.workspace) ? '.unhealthy' : ''}`;
    case 'port':
      return 'port.published';
    case 'detail':
      return `detail.${node.detail}`;
    case 'otherGroup':
      return 'otherContainers';
    case 'other':
      return `otherContainer.${node.state}`;
  }
}

export function idOf(node: TreeNode): string {
  switch (node.kind) {
    case 'engine':
      return node.engineName ? `engine-state:${node.engineName}` : 'engine-state';
    case 'engineGroup':
      return `engine:${node.name}`;
    case 'workspace':
      return `ws:${node.workspace.engine ?? ''}:${node.workspace.id}`;
    case 'port':
      return `ws:${node.workspace.engine ?? ''}:${node.workspace.id}:port:${node.port.hostIp}:${node.port.hostPort}/${node.port.protocol}`;
    case 'detail':
      return `ws:${node.workspace.engine ?? ''}:${node.workspace.id}:${node.detail}`;
    case 'otherGroup':
      return 'other-containers';
    case 'other':
      return `other:${node.id}`;
  }
}
