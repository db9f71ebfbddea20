import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { inspectContainer } from '../../engine/containers';
import { Engine } from '../../engine/engine';
import type { ContainerInspectInfo } from '../../engine/types';
import { gatewayNameFor } from '../../workspace/gateway';
import { labels, Workspace } from '../../workspace/model';
import { projectMountLine } from '../monitor/policyLines';
import { TreeNode } from './nodes';

function limitsOf(info: ContainerInspectInfo): string {
  const host = info.HostConfig;
  const cpus = host.CpuQuota && host.CpuPeriod ? host.CpuQuota / host.CpuPeriod : host.NanoCpus ? host.NanoCpus / 1e9 : undefined;
  return [
    cpus ? `${cpus} CPU` : 'no CPU limit',
    host.Memory ? formatBytes(host.Memory) : 'no memory limit',
    host.PidsLimit ? `${host.PidsLimit} pids` : 'no pids limit',
  ].join(' · ');
}

/** What the workspace's gateway lets out (labelled at create; older workspaces have no gateway). */
function egressOf(workspace: Workspace): string {
  const mode = workspace.labels[labels.egress];
  return mode ? `${mode} · through ${gatewayNameFor(workspace.id)}` : 'not filtered (made before egress control)';
}

/** Inspected when the user expands a workspace or hovers it; never in the background. */
async function inspect(engine: Engine, workspace: Workspace): Promise<ContainerInspectInfo | undefined> {
  const connection = await engine.connection();
  return inspectContainer(connection, workspace.containerId, 'inspect').catch(() => undefined);
}

export async function workspaceDetails(engine: Engine, workspace: Workspace): Promise<TreeNode[]> {
  const info = await inspect(engine, workspace);
  const nodes: TreeNode[] = workspace.ports.map((port) => ({ kind: 'port', workspace, port }));
  nodes.push({ kind: 'detail', workspace, detail: 'folder', label: '/workspace', value: workspace.folder });
  nodes.push({ kind: 'detail', workspace, detail: 'mount', label: 'Project mount', value: projectMountLine(workspace.labels[labels.mount]) });
  const address = info?.NetworkSettings.Networks[workspace.network]?.IPAddress;
  nodes.push({ kind: 'detail', workspace, detail: 'network', label: 'Network', value: `${workspace.network}${address ? ` · ${address}` : ''}` });
  nodes.push({ kind: 'detail', workspace, detail: 'egress', label: 'Egress', value: egressOf(workspace) });
  if (info) nodes.push({ kind: 'detail', workspace, detail: 'limits', label: 'Limits', value: limitsOf(info) });
  return nodes;
}

export async function workspaceTooltip(engine: Engine, workspace: Workspace): Promise<vscode.MarkdownString> {
  const info = await inspect(engine, workspace);
  const rows = [
    ['State', workspace.status],
    ['Level', workspace.level],
    ['Image', workspace.image],
    ['Folder', workspace.folder],
    ['Project mount', projectMountLine(workspace.labels[labels.mount])],
    ['Ports', workspace.ports.map((p) => `${p.hostIp}:${p.hostPort}→${p.containerPort}/${p.protocol}`).join(', ') || 'none'],
    ['Limits', info ? limitsOf(info) : 'unknown'],
    ['Network', workspace.network],
    ['Egress', egressOf(workspace)],
    ['Created', workspace.createdAt.toLocaleString()],
  ];
  const markdown = new vscode.MarkdownString(`**${workspace.name}** \`${workspace.id}\`\n\n| | |\n|---|---|\n`);
  for (const [label, value] of rows) markdown.appendMarkdown(`| ${label} | ${String(value).replace(/\|/g, '\\|')} |\n`);
  return markdown;
}
