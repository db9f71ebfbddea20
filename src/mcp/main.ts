// `aicli-ws mcp`, bundled apart (dist/cli-mcp.js): the SDK and zod would add about 100 ms to
// every other verb's start. Loaded by src/cli/commands/mcp.ts with the parsed arguments only,
// so no object crosses from one bundle to the other.
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { formatToolCallRecord } from '../agent/invoke';
import { AgentPolicy, defaultAgentLimits } from '../agent/policy';
import { AgentHost } from '../agent/tool';
import { agentTools } from '../agent/tools';
import { ParsedArgs, single } from '../cli/args';
import { auditedToolCalls } from '../audit/toolCalls';
import { cliAuditTrail } from '../cli/auditTrail';
import { reportError } from '../cli/report';
import { CommandEngines } from '../cli/scope';
import { silentLog } from '../engine/connection';
import { egressModeFor, parseAllowedHosts } from '../isolation/egress';
import { parsePositiveInteger, parseResources } from '../isolation/resources';
import { checkLevel } from '../workspace/model';
import { ServerAlerts } from './alerts';
import { makeMcpServer } from './server';

declare const AICLI_VERSION: string | undefined;
const version = typeof AICLI_VERSION === 'string' ? AICLI_VERSION : '0.0.0-dev';

/** The person's policy from the flags, checked before the server answers anything. */
export function serverPolicy(args: ParsedArgs, cwd: string): AgentPolicy {
  const level = checkLevel(single(args, '--level') ?? 'standard');
  const resources = { cpus: single(args, '--cpus'), memory: single(args, '--memory'), pidsLimit: single(args, '--pids') };
  parseResources(resources);
  const egress = single(args, '--egress');
  egressModeFor(level, egress);
  const allow = args.values.get('--allow') ?? [];
  parseAllowedHosts(allow);
  const cap = single(args, '--output-cap');
  const maxTimeout = single(args, '--max-timeout');
  const maxTimeoutSeconds = maxTimeout === undefined ? defaultAgentLimits.maxTimeoutSeconds : parsePositiveInteger(maxTimeout, '--max-timeout');
  return {
    level,
    create: { image: single(args, '--image'), resources, egress, allow, mount: single(args, '--mount') },
    allowApply: args.booleans.has('--allow-apply'),
    outputCapBytes: cap === undefined ? defaultAgentLimits.outputCapBytes : parsePositiveInteger(cap, '--output-cap'),
    defaultTimeoutSeconds: Math.min(defaultAgentLimits.defaultTimeoutSeconds, maxTimeoutSeconds),
    maxTimeoutSeconds,
    defaultFolder: cwd,
    folderRoots: (args.values.get('--folder-root') ?? [cwd]).map((root) => resolve(cwd, root)),
  };
}

async function serve(args: ParsedArgs, engines: CommandEngines): Promise<number> {
  const policy = serverPolicy(args, process.cwd());
  const scope = await engines.scopeFor({ names: ['mcp'], synopsis: [], run: () => Promise.resolve(0) });
  const alerts = new ServerAlerts(scope.engine, { ...silentLog, warn: (message) => console.error(`aicli-ws mcp: ${message}`) });
  const host: AgentHost = { scope, policy, alerts: (workspace) => alerts.of(workspace) };
  const tools = agentTools(policy);
  // Each call on stderr and in the audit trail (with what it caused: the service records through the same scope).
  const record = auditedToolCalls(scope.audit, (call) => console.error(formatToolCallRecord(call)));
  const server = makeMcpServer(host, tools, record, version);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  // The client closing our stdin ends the session.
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  console.error(`aicli-ws mcp: serving ${tools.length} tools on stdio (level ${policy.level}${policy.allowApply ? ', apply allowed' : ''})`);
  await closed;
  alerts.dispose();
  return 0;
}

/** The verb's run: its own engines and scope (this bundle's copy of the core), its own error report. */
export async function serveMcp(args: ParsedArgs): Promise<number> {
  const engines = new CommandEngines(args, cliAuditTrail('mcp'));
  try {
    return await serve(args, engines);
  } catch (err) {
    return reportError(err, args, () => 'Run aicli-ws --help for the flags of mcp.');
  } finally {
    engines.dispose();
  }
}
