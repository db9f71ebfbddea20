import * as vscode from 'vscode';
import { Engine } from '../../engine/engine';
import { LiveWorkspaceIndex } from '../../workspace/liveIndex';
import { WorkspaceService } from '../../workspace/service';
import { EngineScopes } from '../scopes';

/**
 * What every command needs; built once in extension.ts. engine/service/index are the default
 * engine's; a command about a workspace uses `scopes.of(workspace)` (several engines).
 */
export interface CommandContext {
  engine: Engine;
  service: WorkspaceService;
  index: LiveWorkspaceIndex;
  scopes: EngineScopes;
  log: vscode.LogOutputChannel;
  state: vscode.Memento;
}
