import * as vscode from 'vscode';
import { formatToolCallRecord } from '../../agent/invoke';
import { AuditSink } from '../../audit/sink';
import { auditedToolCalls } from '../../audit/toolCalls';
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
  /** Where each tool call is recorded (what it causes is recorded by the scope it acts through). */
  audit: AuditSink;
}

/** Agents in the box from VS Code: the language-model tools, the MCP configuration command, VS Code's MCP servers. */
export function registerAgentSupport(options: AgentSupportOptions): vscode.Disposable[] {
  const { scopes, log, extensionPath } = options;
  return [
    ...registerLanguageModelTools({
      scope: () => scopes.byName(defaultEngineName),
      folderSettings: options.folderSettings,
      // The tools act on the default engine's scope: their records name it, as that scope's own do.
      record: auditedToolCalls(options.audit.forEngine(defaultEngineName), (record) =>
        record.outcome === 'ok' ? log.info(formatToolCallRecord(record)) : log.warn(formatToolCallRecord(record)),
      ),
    }),
    registerCopyMcpConfigCommand(log, extensionPath),
    ...registerMcpServerDefinitions(() => currentMcpLaunch(extensionPath), log),
  ];
}
