import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { engineStateItem } from './engineStateItems';

/**
 * The "Workspaces" view. Refreshed by engine state changes only (no timers); workspace
 * nodes join it with the workspace service.
 */
export class WorkspacesTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly engine: Engine) {
    this.subscription = engine.onDidChangeState(() => this.changeEmitter.fire(undefined));
  }

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }

  getChildren(element?: vscode.TreeItem): vscode.TreeItem[] {
    if (element) return [];
    return [engineStateItem(this.engine.state)];
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
