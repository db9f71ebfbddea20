import * as vscode from 'vscode';
import { LogChannels } from '../logChannels';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { CommandRun, registerCommand } from './kernel';
import { targetWorkspaces } from './targets';

export function registerLogCommands(context: CommandContext, channels: LogChannels): vscode.Disposable[] {
  return [
    registerCommand(context.log, 'aicli.showLogs', 'Show logs', async (run: CommandRun, clicked?: TreeNode) => {
      const [workspace] = await targetWorkspaces(context, clicked, undefined, { title: 'Show Logs', canPickMany: false });
      if (!workspace) return;
      run.on(context.scopes.of(workspace));
      await channels.show(workspace);
    }),
    registerCommand(context.log, 'aicli.stopFollowingLogs', 'Stop following logs', async (_run: CommandRun, clicked?: TreeNode) => {
      const [workspace] = await targetWorkspaces(context, clicked, undefined, {
        title: 'Stop Following Logs',
        canPickMany: false,
        accepts: (ws) => channels.isFollowing(ws.id),
      });
      if (workspace) channels.close(workspace.id);
    }),
  ];
}
