import * as vscode from 'vscode';
import { LogChannels } from '../logChannels';
import { showFailure } from '../notify';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { targetWorkspaces } from './targets';

export function registerLogCommands(context: CommandContext, channels: LogChannels): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('aicli.showLogs', async (clicked?: TreeNode) => {
      const [workspace] = await targetWorkspaces(context, clicked, undefined, { title: 'Show Logs', canPickMany: false });
      if (!workspace) return;
      try {
        await channels.show(workspace);
      } catch (err) {
        await showFailure(err, { engine: context.scopes.of(workspace).engine, log: context.log, doing: `Show logs of ${workspace.name}` });
      }
    }),
    vscode.commands.registerCommand('aicli.stopFollowingLogs', async (clicked?: TreeNode) => {
      const [workspace] = await targetWorkspaces(context, clicked, undefined, {
        title: 'Stop Following Logs',
        canPickMany: false,
        accepts: (ws) => channels.isFollowing(ws.id),
      });
      if (workspace) channels.close(workspace.id);
    }),
  ];
}
