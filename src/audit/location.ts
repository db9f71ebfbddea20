import { join } from 'node:path';

/**
 * The state folder the CLI, the MCP server and the extension share (they must agree, or each
 * keeps a trail of its own): AICLI_STATE_DIR, else $XDG_STATE_HOME/aicli-workspaces, else
 * ~/.local/state/aicli-workspaces (the XDG default). Not the extension's globalStorage: the
 * CLI cannot know where VS Code keeps that.
 */
export function stateDirectory(env: NodeJS.ProcessEnv, home: string): string {
  if (env.AICLI_STATE_DIR) return env.AICLI_STATE_DIR;
  const stateHome = env.XDG_STATE_HOME || join(home, '.local', 'state');
  return join(stateHome, 'aicli-workspaces');
}

/** Where the audit trail's files are. */
export function auditDirectory(env: NodeJS.ProcessEnv, home: string): string {
  return join(stateDirectory(env, home), 'audit');
}
