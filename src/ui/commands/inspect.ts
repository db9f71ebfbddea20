import * as vscode from 'vscode';
import { showFailure } from '../notify';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { targetWorkspaces } from './targets';

export const inspectScheme = 'aicli-inspect';

/** Read-only JSON of `docker inspect`, fetched when the document opens. */
export class InspectDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly context: CommandContext) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const containerId = new URLSearchParams(uri.query).get('id') ?? '';
    const connection = await this.context.scopes.ofContainer(containerId).engine.connection();
    const info = await connection.call('inspect', (docker) => docker.getContainer(containerId).inspect());
    return `${JSON.stringify(info, null, 2)}\n`;
  }
}

function inspectUri(name: string, containerId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: inspectScheme, path: `/${name}.json`, query: `id=${containerId}` });
}

export function registerInspectCommands(context: CommandContext): vscode.Disposable[] {
  const pickOne = async (clicked?: TreeNode): Promise<{ name: string; id: string } | undefined> => {
    if (clicked?.kind === 'other') return { name: clicked.name, id: clicked.id };
    const [workspace] = await targetWorkspaces(context, clicked, undefined, { title: 'Inspect Workspace', canPickMany: false });
    return workspace ? { name: workspace.name, id: workspace.containerId } : undefined;
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(inspectScheme, new InspectDocumentProvider(context)),
    vscode.commands.registerCommand('aicli.inspectWorkspace', async (clicked?: TreeNode) => {
      const target = await pickOne(clicked);
      if (!target) return;
      try {
        const document = await vscode.workspace.openTextDocument(inspectUri(target.name, target.id));
        await vscode.languages.setTextDocumentLanguage(document, 'json');
        await vscode.window.showTextDocument(document, { preview: true });
      } catch (err) {
        await showFailure(err, { engine: context.scopes.ofContainer(target.id).engine, log: context.log, doing: `Inspect ${target.name}` });
      }
    }),
    vscode.commands.registerCommand('aicli.copyWorkspaceId', async (clicked?: TreeNode) => {
      const target = await pickOne(clicked);
      if (!target) return;
      await vscode.env.clipboard.writeText(target.id);
      vscode.window.setStatusBarMessage(`Copied container ID of ${target.name}`, 3000);
    }),
    vscode.commands.registerCommand('aicli.openPortInBrowser', async (clicked?: TreeNode) => {
      if (clicked?.kind !== 'port') return;
      const host = clicked.port.hostIp === '0.0.0.0' ? '127.0.0.1' : clicked.port.hostIp;
      await vscode.env.openExternal(vscode.Uri.parse(`http://${host}:${clicked.port.hostPort}/`));
    }),
  ];
}
