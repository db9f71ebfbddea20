import * as vscode from 'vscode';
import { CommandContext } from '../commands/context';
import { WorkspacesTreeProvider } from '../tree/workspacesTree';
import { BoxFileSystem, boxScheme } from './boxFiles';
import { registerChangeCommands } from './commands';
import { ChangesModel } from './model';
import { countOf } from './summary';
import { ChangesTreeProvider } from './view';

/**
 * The Changes view (a tree, not an SCM provider: see the README), the read-only aicli-box:
 * file system its diffs show, and its commands. Each read's count also reaches the
 * workspace's row in the Workspaces tree.
 */
export function registerChangesView(context: CommandContext, workspacesTree: WorkspacesTreeProvider, subscriptions: vscode.Disposable[]): ChangesTreeProvider {
  const model = new ChangesModel(context.scopes);
  const provider = new ChangesTreeProvider(context.scopes, model);
  const view = vscode.window.createTreeView('aicli.changes', { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const files = new BoxFileSystem(context.scopes, model);
  model.setVisible(view.visible);
  subscriptions.push(
    model,
    provider,
    view,
    files,
    view.onDidChangeVisibility((event) => model.setVisible(event.visible)),
    // Expanding a row again reads it again (the first expansion reads it through getChildren).
    view.onDidExpandElement(({ element }) => {
      if (element.kind === 'changesWorkspace' && !model.needsRead(element.workspace)) void model.read(element.workspace);
    }),
    model.onDidRead((workspace) => {
      const changes = model.lastRead(workspace)?.changes;
      workspacesTree.showChangeCount(workspace, changes ? countOf(changes) : undefined);
    }),
    vscode.workspace.registerFileSystemProvider(boxScheme, files, { isCaseSensitive: true, isReadonly: true }),
    ...registerChangeCommands({ context, model }),
  );
  return provider;
}
