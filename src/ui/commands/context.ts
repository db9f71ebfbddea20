import * as vscode from 'vscode';
import { UiEngineScopes } from '../scopes';

/**
 * What every command needs; built once in extension.ts. A command reaches a workspace only
 * through its engine's scope (`scopes.of(workspace)`, `scopes.byName(node's engine)`).
 */
export interface CommandContext {
  scopes: UiEngineScopes;
  log: vscode.LogOutputChannel;
  state: vscode.Memento;
}
