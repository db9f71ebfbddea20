// How an MCP client starts `aicli-ws mcp` with the person's VS Code settings as its policy. No vscode
// import: the unit tests parse these arguments with the verb's own flag table and policy reader.
import type { EngineSettings } from '../../engine/target';
import type { WorkspacePolicy } from '../../workspace/request';

/** The server's entry in an MCP client's configuration. */
export interface McpServerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export const mcpServerName = 'aicli-workspaces';

/** `--flag value` for each value the settings have. */
function flags(entries: [string, string | number | undefined][]): string[] {
  return entries.flatMap(([flag, value]) => (value === undefined || value === '' ? [] : [flag, String(value)]));
}

/**
 * The verb's flags from the settings that have one: level, image, limits, egress and its hosts,
 * mount mode, labels. The rest (blkio weight, blocked ports, protected paths, the engine socket)
 * have no flag; the server then uses the CLI's defaults, which for the socket is the stricter "no".
 * The open folders are the folders the agent may use (a client may start the server anywhere).
 */
export function mcpServerArgs(policy: WorkspacePolicy, engine: Pick<EngineSettings, 'apiVersion'>, folders: readonly string[]): string[] {
  const { resources } = policy;
  return [
    'mcp',
    ...flags([
      ['--level', policy.defaultLevel],
      ['--image', policy.defaultImage],
      ['--cpus', resources.cpus],
      ['--memory', resources.memory],
      ['--pids', resources.pidsLimit],
      ['--egress', policy.egress],
      ['--mount', policy.projectMount],
      ['--api-version', engine.apiVersion],
    ]),
    ...(policy.allowedHosts ?? []).flatMap((host) => ['--allow', host]),
    ...Object.entries(policy.labels ?? {}).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...folders.flatMap((folder) => ['--folder-root', folder]),
  ];
}

/**
 * The engine the extension uses, in the variables the CLI resolves it from (aicli.docker.host
 * first, as the extension does, then the environment VS Code was started with). Without either,
 * the server finds the engine as the docker CLI does (context, default socket).
 */
export function mcpServerEnv(engine: Pick<EngineSettings, 'host' | 'tlsVerify' | 'certPath'>, env: NodeJS.ProcessEnv): Record<string, string> {
  const host = engine.host || env.DOCKER_HOST?.trim();
  const certPath = engine.certPath || env.DOCKER_CERT_PATH;
  const tls = engine.tlsVerify === 'on' || (engine.tlsVerify === 'auto' && Boolean(env.DOCKER_TLS_VERIFY));
  return {
    // VS Code's own executable runs the server as plain Node.
    ELECTRON_RUN_AS_NODE: '1',
    ...(host ? { DOCKER_HOST: host } : {}),
    ...(tls ? { DOCKER_TLS_VERIFY: '1' } : {}),
    ...(certPath ? { DOCKER_CERT_PATH: certPath } : {}),
  };
}

export type McpClientShape = 'mcpServers' | 'servers';

/**
 * A whole configuration file with just this server. Claude Code (.mcp.json), Cursor (mcp.json) and
 * most clients read "mcpServers"; VS Code's mcp.json reads "servers" and wants the transport named.
 */
export function mcpClientConfig(launch: McpServerLaunch, shape: McpClientShape): string {
  const entry = shape === 'servers' ? { type: 'stdio', ...launch } : launch;
  return JSON.stringify({ [shape]: { [mcpServerName]: entry } }, null, 2);
}
