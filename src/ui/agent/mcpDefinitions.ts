import * as vscode from 'vscode';
import { McpServerLaunch, mcpServerName } from './mcpLaunch';

/**
 * The part of VS Code 1.101's finalized MCP API used here. @types/vscode 1.100 (our engine version)
 * has none of it, so it is looked up at run time and never assumed.
 */
interface McpDefinitionApi {
  registerMcpServerDefinitionProvider(
    id: string,
    provider: { onDidChangeMcpServerDefinitions?: vscode.Event<void>; provideMcpServerDefinitions(): unknown[] },
  ): vscode.Disposable;
}
type StdioDefinition = new (label: string, command: string, args: string[], env: Record<string, string>) => unknown;

/**
 * Offers `aicli-ws mcp` to VS Code's own MCP support where this VS Code has the API for it
 * (1.101+; package.json declares the provider id under contributes.mcpServerDefinitionProviders).
 * VS Code 1.100 has it only as a proposal an extension may not use: the log says so, and AICLI:
 * Copy MCP Server Configuration is the way there.
 */
export function registerMcpServerDefinitions(launch: () => McpServerLaunch, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const lm = vscode.lm as unknown as Partial<McpDefinitionApi>;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: StdioDefinition }).McpStdioServerDefinition;
  const instead = 'AICLI: Copy MCP Server Configuration gives the entry for an MCP client';
  if (typeof lm.registerMcpServerDefinitionProvider !== 'function' || !Definition) {
    log.info(`MCP: VS Code ${vscode.version} has no API to register MCP server definitions; ${instead}.`);
    return [];
  }
  const changed = new vscode.EventEmitter<void>();
  try {
    const provider = lm.registerMcpServerDefinitionProvider(mcpServerName, {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () => {
        const { command, args, env } = launch();
        return [new Definition('AICLI Workspaces', command, args, env)];
      },
    });
    log.info(`MCP: offered ${mcpServerName} (aicli-ws mcp) to VS Code's MCP servers.`);
    // The settings are the server's policy: a change is a new definition.
    const settings = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('aicli')) changed.fire();
    });
    return [provider, settings, changed];
  } catch (err) {
    // 1.100 has the function, but only behind the "mcpConfigurationProvider" API proposal.
    log.info(
      `MCP: VS Code ${vscode.version} does not let extensions register MCP server definitions (${err instanceof Error ? err.message : String(err)}); ${instead}.`,
    );
    changed.dispose();
    return [];
  }
}
