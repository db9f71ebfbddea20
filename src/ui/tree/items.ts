import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { defaultEngineName } from '../../engine/engines';
import { engineStateItem } from '../engineStateItems';
import { ChangeCount, countText } from '../changes/summary';
import { contextValueOf, idOf, stateIcon, stateText, TreeNode } from './nodes';

/** "Docker 20.10.24 · 3 running · 42% CPU of 2 · 0.4/23 GiB": health, version and load. */
function engineGroupItem(node: Extract<TreeNode, { kind: 'engineGroup' }>): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
  const { load, state } = node;
  const health = state.kind === 'connected' ? 'up' : state.kind === 'connecting' ? 'connecting' : 'unreachable';
  item.description =
    state.kind === 'connected'
      ? `${load.version ?? 'Docker ?'} · ${load.running} running · ${Math.round(load.cpuPercent)}% CPU of ${load.cpus ?? '?'} · ${load.memTotal ? formatBytes(load.memoryUsed, load.memTotal) : `${formatBytes(load.memoryUsed)}/?`}`
      : health;
  item.iconPath = new vscode.ThemeIcon('server-environment', state.kind === 'unreachable' ? new vscode.ThemeColor('charts.red') : undefined);
  item.tooltip = state.kind === 'unreachable' ? state.error.userMessage : `${node.name}: ${item.description}`;
  item.accessibilityInformation = { label: `Engine ${node.name}, ${health}${state.kind === 'connected' ? `, ${load.running} running` : ''}` };
  return item;
}

/** The TreeItem for a node; tooltips of workspaces are filled in lazily by resolveTreeItem. `changes`: a review workspace's last count. */
export function treeItemFor(node: TreeNode, changes?: ChangeCount): vscode.TreeItem {
  const item = build(node);
  if (changes && node.kind === 'workspace' && changes.changed > 0) item.description = `${String(item.description)} · ${countText(changes)}`;
  item.id = idOf(node);
  item.contextValue = contextValueOf(node);
  return item;
}

function build(node: TreeNode): vscode.TreeItem {
  switch (node.kind) {
    case 'engine':
      // A single engine's flat view leaves the name out: that engine is the default one.
      return engineStateItem(node.state, node.engineName ?? defaultEngineName);
    case 'engineGroup':
      return engineGroupItem(node);
    case 'workspace': {
      const { workspace } = node;
      const item = new vscode.TreeItem(workspace.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${workspace.level} · ${workspace.image} · ${stateText(workspace)}`;
      item.iconPath = stateIcon(workspace);
      item.accessibilityInformation = { label: `${workspace.name}, ${stateText(workspace)}, ${workspace.level}, ${workspace.image}` };
      return item;
    }
    case 'port': {
      const { port } = node;
      const label = `${port.hostIp}:${port.hostPort} → ${port.containerPort}/${port.protocol}`;
      const item = new vscode.TreeItem(label);
      item.iconPath = new vscode.ThemeIcon('plug');
      item.tooltip = `Published on ${port.hostIp}:${port.hostPort}; open it in the browser from the inline action.`;
      item.accessibilityInformation = { label: `Port ${label}` };
      return item;
    }
    case 'detail': {
      const item = new vscode.TreeItem(node.label);
      item.description = node.value;
      item.tooltip = `${node.label}: ${node.value}`;
      item.accessibilityInformation = { label: `${node.label}: ${node.value}` };
      const icons: Record<typeof node.detail, string> = { folder: 'folder', mount: 'files', network: 'globe', egress: 'shield', limits: 'dashboard' };
      item.iconPath = new vscode.ThemeIcon(icons[node.detail]);
      if (node.detail === 'folder') {
        item.command = { command: 'revealFileInOS', title: 'Reveal Folder', arguments: [vscode.Uri.file(node.value)] };
      }
      return item;
    }
    case 'otherGroup': {
      const item = new vscode.TreeItem('Other containers', vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('package');
      item.tooltip = 'Containers AICLI does not manage. Shown read-only; nothing here is changed without a confirmation naming the container.';
      return item;
    }
    case 'other': {
      const item = new vscode.TreeItem(node.name);
      item.description = `${node.image} · ${node.status}`;
      item.iconPath = new vscode.ThemeIcon(node.state === 'running' ? 'vm-running' : 'vm-outline');
      return item;
    }
  }
}
