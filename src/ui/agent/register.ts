import * as vscode from 'vscode';
import { formatToolCallRecord } from '../../agent/invoke';
import { defaultEngineName } from '../../engine/engines';
import { FolderSettingsReporter } from '../ignoredFolderSettings';
import { UiEngineScopes } from '../scopes';
import { registerLanguageModelTools } from './languageModelTools';
import { currentMcpLaunch, registerCopyMcpConfigCommand } from './mcpConfig';
import { registerMcpServerDefinitions } from './mcpDefinitions';

export interface AgentSupportOptions {
  scopes: UiEngineScopes;
  log: vscode.LogOutputChannel;
  folderSettings: FolderSettingsReporter;
  extensionPath: string;
}

/** Agents in the box from VS Code: the language-model tools, the MCP configuration command, VS Code's MCP servers. */
export function registerAgentSupport(options: AgentSupportOptions): vscode.Disposable[] {
  const { scopes, log, extensionPath } = options;
  return [
    ...registerLanguageModelTools({
      scope: () => scopes.byName(defaultEngineName),
      folderSettings: options.folderSettings,
      record: (record) => (record.outcome === 'ok' ? log.info(formatToolCallRecord(record)) : log.warn(formatToolCallRecord(record))),
    }),
    registerCopyMcpConfigCommand(log, extensionPath),
    ...registerMcpServerDefinitions(() => currentMcpLaunch(extensionPath), log),
  ];
}
