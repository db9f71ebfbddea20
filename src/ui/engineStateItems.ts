import * as vscode from 'vscode';
import { EngineState } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { engineProductName } from '../engine/product';

/** Short enough for a narrow sidebar; the description and tooltip carry the details. */
const shortTitles: Partial<Record<EngineError['kind'], string>> = {
  notRunning: 'Docker engine is not running',
  permissionDenied: 'No permission for the Docker engine',
  badHost: 'Docker host setting is invalid',
  tls: 'TLS connection to Docker failed',
  timeout: 'Docker engine does not answer',
  apiTooOld: 'Docker engine is too old',
};

/**
 * The tree shows engine trouble as content, with the actions that fix it, not as pop-ups.
 * `engineName` is the engine the row stands for: its Retry reconnects that engine, not another.
 */
export function engineStateItem(state: EngineState, engineName: string): vscode.TreeItem {
  switch (state.kind) {
    case 'connecting': {
      const item = new vscode.TreeItem('Connecting to Docker…');
      item.id = 'engine-state';
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      item.contextValue = 'engineConnecting';
      return item;
    }
    case 'unreachable': {
      const item = new vscode.TreeItem(shortTitles[state.error.kind] ?? 'Docker engine error');
      item.id = 'engine-state';
      item.description = state.error.message;
      item.accessibilityInformation = { label: `${item.label}: ${state.error.userMessage}` };
      item.tooltip = new vscode.MarkdownString(`**${state.error.message}**\n\n${state.error.suggestion}`);
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.contextValue = 'engineError';
      item.command = { command: 'aicli.retryConnection', title: 'Retry', arguments: [engineName] };
      return item;
    }
    case 'connected': {
      const { connection } = state;
      const item = new vscode.TreeItem(engineProductName(connection.engineVersion));
      item.id = 'engine-state';
      item.description = `${connection.host} · API ${connection.apiVersion}`;
      item.tooltip = `Connected to ${connection.host} (from ${connection.target.source}). Click for engine details.`;
      item.iconPath = new vscode.ThemeIcon('vm-active');
      item.contextValue = 'engineConnected';
      item.command = { command: 'aicli.showEngineInfo', title: 'Show Engine Info' };
      return item;
    }
  }
}
