import * as vscode from 'vscode';
import { CommandContext } from '../commands/context';
import { CommandRun, registerCommand } from '../commands/kernel';
import { targetWorkspaces } from '../commands/targets';
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
        return workspaces.map((workspace) => metrics.open(workspace));
      },
    ),
  ];
}
