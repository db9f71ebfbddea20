import * as vscode from 'vscode';
import { Engine } from '../../engine/engine';
import { LiveWorkspaceIndex } from '../../workspace/liveIndex';
import { WorkspaceService } from '../../workspace/service';

/** What every command needs; built once in extension.ts. */
export interface CommandContext {
  engine: Engine;
  service: WorkspaceService;
  index: LiveWorkspaceIndex;
  log: vscode.LogOutputChannel;
  state: vscode.Memento;
}
