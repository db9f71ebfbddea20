import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandRun, registerCommand } from '../commands/kernel';
import { readEngineSettings, readWorkspacePolicy } from '../settings';
import { McpClientShape, mcpClientConfig, mcpServerArgs, mcpServerEnv, McpServerLaunch, mcpServerName } from './mcpLaunch';

/** `aicli-ws mcp` as this VS Code starts it: its own executable as Node, the bundled CLI, the settings as flags. */
export function currentMcpLaunch(extensionPath: string): McpServerLaunch {
  const engine = readEngineSettings();
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
  return {
    command: process.execPath,
    args: [join(extensionPath, 'dist', 'cli.js'), ...mcpServerArgs(readWorkspacePolicy(), engine, folders)],
    env: mcpServerEnv(engine, process.env),
  };
}

const shapes: (vscode.QuickPickItem & { shape: McpClientShape; pasteInto: string })[] = [
  {
    label: 'Claude Code, Cursor and most MCP clients',
    description: '"mcpServers"',
    detail: 'Claude Code: .mcp.json in the project (or `claude mcp add-json`); Cursor: .cursor/mcp.json or ~/.cursor/mcp.json',
    shape: 'mcpServers',
    pasteInto: ".mcp.json (Claude Code) or Cursor's mcp.json",
  },
  {
    label: 'VS Code',
    description: '"servers"',
    detail: 'VS Code: .vscode/mcp.json in the folder, or MCP: Open User Configuration',
    shape: 'servers',
    pasteInto: "VS Code's mcp.json",
  },
];

async function copyMcpConfig(extensionPath: string, given: unknown): Promise<void> {
  const picked =
    shapes.find((item) => item.shape === given) ??
    (await vscode.window.showQuickPick(shapes, { title: 'Copy MCP Server Configuration', placeHolder: 'For which MCP client?' }));
  if (!picked) return;
  await vscode.env.clipboard.writeText(mcpClientConfig(currentMcpLaunch(extensionPath), picked.shape));
  void vscode.window.showInformationMessage(
    `Copied the "${mcpServerName}" MCP server entry (with your AICLI settings as its policy). Paste it into ${picked.pasteInto}, merging it with the servers already there.`,
  );
}

/** AICLI: Copy MCP Server Configuration; a caller (the tests) may name the shape and skip the pick. */
export function registerCopyMcpConfigCommand(log: vscode.LogOutputChannel, extensionPath: string): vscode.Disposable {
  return registerCommand(log, 'aicli.copyMcpConfig', 'Copy the MCP server configuration', (_run: CommandRun, shape?: unknown) =>
    copyMcpConfig(extensionPath, shape),
  );
}
