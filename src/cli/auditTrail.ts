import { homedir } from 'node:os';
import { auditDirectory } from '../audit/location';
import { AuditTrail } from '../audit/trail';

/**
 * The trail as aicli-ws and its MCP server write it: the shared folder (AICLI_STATE_DIR
 * overrides it), on unless AICLI_AUDIT=0, a write error told once on stderr. The MCP server's
 * records are the agent's by default: nothing else acts through it.
 */
export function cliAuditTrail(via: 'cli' | 'mcp', env: NodeJS.ProcessEnv = process.env): AuditTrail {
  return new AuditTrail({
    directory: auditDirectory(env, homedir()),
    via,
    actor: via === 'mcp' ? 'agent' : 'cli',
    enabled: () => env.AICLI_AUDIT !== '0',
    onError: (message) => console.error(`aicli-ws: ${message}`),
  });
}
