import * as vscode from 'vscode';
import { CommandContext } from '../commands/context';
import { CommandRun, registerCommand } from '../commands/kernel';
import { targetWorkspaces } from '../commands/targets';
import { ConnectionCounts, readConnections } from '../../monitor/connections';
import type { Workspace } from '../../workspace/model';
import { TreeNode } from '../tree/nodes';
import type { MetricsPanel } from './metricsPanel';
import type { MetricsSupport } from './metricsSupport';

/**
 * AICLI: Show Metrics: the graphs of the selected rows, the clicked row, or a workspace picked
 * from the palette (any state: a stopped workspace still has its history). Returns the panels.
 */
export function registerMetricsCommands(context: CommandContext, metrics: MetricsSupport): vscode.Disposable[] {
  return [
    registerCommand(
      context.log,
      'aicli.showMetrics',
      'Show metrics',
      async (_run: CommandRun, clicked?: TreeNode, selected?: TreeNode[]): Promise<MetricsPanel[]> => {
        const workspaces = await targetWorkspaces(context, clicked, selected, { title: 'Show Metrics', canPickMany: false });
        return workspaces.map((workspace) => metrics.open(workspace, () => countConnections(context, workspace)));
      },
    ),
  ];
}

/** The workspace as its engine's index knows it now (its container may have been recreated), counted when it runs. */
async function countConnections(context: CommandContext, workspace: Workspace): Promise<ConnectionCounts | undefined> {
  const scope = context.scopes.of(workspace);
  const current = scope.index.workspaces.find((candidate) => candidate.id === workspace.id);
  if (current?.state !== 'running') return undefined;
  return readConnections(await scope.connection(), current.containerId);
}
