import * as vscode from 'vscode';
import { parseAllowedHosts } from '../../isolation/egress';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { CommandRun, registerCommand } from './kernel';
import { targetWorkspaces } from './targets';

/** "Allow Host for Workspace…": the palette's way to what the egress alert's quick fix does. */
export function registerEgressCommands(context: CommandContext): vscode.Disposable[] {
  return [
    registerCommand(context.log, 'aicli.allowEgressHost', 'Allow host', async (_run: CommandRun, clicked?: TreeNode) => {
      const [workspace] = await targetWorkspaces(context, clicked, undefined, { title: 'Allow Host for Workspace', canPickMany: false });
      if (!workspace) return;
      const entry = await vscode.window.showInputBox({
        title: `Allow a host for ${workspace.name}`,
        prompt: 'A host name, *.domain or IPv4 CIDR the workspace may reach (kept with its gateway, not in the folder)',
        placeHolder: 'api.example.com',
        validateInput: (value) => {
          try {
            parseAllowedHosts([value]);
            return undefined;
          } catch (err) {
            return (err as Error).message;
          }
        },
      });
      if (entry) await vscode.commands.executeCommand('aicli.monitor.allowEgress', workspace.containerId, entry.trim());
    }),
  ];
}
