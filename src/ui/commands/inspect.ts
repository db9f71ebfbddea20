import * as vscode from 'vscode';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { CommandRun, registerCommand } from './kernel';
import { targetWorkspaces } from './targets';
import { inspectContainer } from '../../engine/containers';
import { defaultEngineName } from '../../engine/engines';
import { UiEngineScope } from '../scopes';

export const inspectScheme = 'aicli-inspect';

/** Read-only JSON of `docker inspect`, fetched when the document opens. */
export class InspectDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly context: CommandContext) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const containerId = new URLSearchParams(uri.query).get('id') ?? '';
    const connection = await this.context.scopes.byName(new URLSearchParams(uri.query).get('engine') ?? undefined).engine.connection();
    const info = await inspectContainer(connection, containerId, 'inspect');
    return `${JSON.stringify(info, null, 2)}\n`;
  }
}

function inspectUri(target: Target): vscode.Uri {
  const query = new URLSearchParams({ id: target.id, engine: target.scope.name });
  return vscode.Uri.from({ scheme: inspectScheme, path: `/${target.name}.json`, query: query.toString() });
}

/** A workspace, or an unmanaged container (listed under the default engine only). */
interface Target {
  name: string;
  id: string;
  scope: UiEngineScope;
}

export function registerInspectCommands(context: CommandContext): vscode.Disposable[] {
  const pickOne = async (clicked?: TreeNode): Promise<Target | undefined> => {
    if (clicked?.kind === 'other') return { name: clicked.name, id: clicked.id, scope: context.scopes.byName(defaultEngineName) };
    const [workspace] = await targetWorkspaces(context, clicked, undefined, { title: 'Inspect Workspace', canPickMany: false });
    return workspace ? { name: workspace.name, id: workspace.containerId, scope: context.scopes.of(workspace) } : undefined;
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(inspectScheme, new InspectDocumentProvider(context)),
    registerCommand(context.log, 'aicli.inspectWorkspace', 'Inspect', async (run: CommandRun, clicked?: TreeNode) => {
      const target = await pickOne(clicked);
      if (!target) return;
      run.on(target.scope);
      const document = await vscode.workspace.openTextDocument(inspectUri(target));
      await vscode.languages.setTextDocumentLanguage(document, 'json');
      await vscode.window.showTextDocument(document, { preview: true });
    }),
    registerCommand(context.log, 'aicli.copyWorkspaceId', 'Copy container ID', async (_run: CommandRun, clicked?: TreeNode) => {
      const target = await pickOne(clicked);
      if (!target) return;
      await vscode.env.clipboard.writeText(target.id);
      vscode.window.setStatusBarMessage(`Copied container ID of ${target.name}`, 3000);
    }),
    registerCommand(context.log, 'aicli.openPortInBrowser', 'Open port', async (_run: CommandRun, clicked?: TreeNode) => {
      if (clicked?.kind !== 'port') return;
      const host = clicked.port.hostIp === '0.0.0.0' ? '127.0.0.1' : clicked.port.hostIp;
      await vscode.env.openExternal(vscode.Uri.parse(`http://${host}:${clicked.port.hostPort}/`));
    }),
  ];
}
