import * as assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args';
import { mcp } from '../../src/cli/commands/mcp';
import { checkFlags } from '../../src/cli/main';
import { globalBooleanFlags, globalValueFlags, labelArguments } from '../../src/cli/options';
import { mcpClientConfig, mcpServerArgs, mcpServerEnv, mcpServerName } from '../../src/ui/agent/mcpLaunch';
import { serverPolicy } from '../../src/mcp/main';
import { mcpServerName as serversOwnName } from '../../src/mcp/server';
import type { WorkspacePolicy } from '../../src/workspace/request';

const settings: WorkspacePolicy = {
  defaultImage: 'aicli/base:latest',
  defaultLevel: 'strict',
  resources: { cpus: 1.5, memory: '1g', pidsLimit: 256, blkioWeight: 500 },
  ports: { blockedPorts: [22], publishAddress: '127.0.0.1' },
  mountEngineSocket: false,
  egress: 'allowlist',
  allowedHosts: ['registry.npmjs.org', '*.github.com'],
  home: '/home/dev',
  projectMount: 'review',
  labels: { team: 'shop' },
};
const engine = { host: '', apiVersion: '', tlsVerify: 'auto' as const, certPath: '' };

/** The arguments as `aicli-ws` reads them: its parser, with the verb's and the global flags. */
function asTheVerbReadsThem(args: string[]): ReturnType<typeof parseArgs> {
  const parsed = parseArgs(args, [...globalValueFlags, ...(mcp.values ?? [])], [...globalBooleanFlags, ...(mcp.booleans ?? [])]);
  checkFlags(mcp, 'mcp', parsed);
  return parsed;
}

describe('Copy MCP Server Configuration: the settings as `aicli-ws mcp` flags', () => {
  it("gives the server the person's level, image, limits, egress, hosts, mount mode and labels, and the open folders as its roots", () => {
    const args = mcpServerArgs(settings, engine, ['/home/dev/shop', '/home/dev/lib']);
    assert.equal(args[0], 'mcp');
    const parsed = asTheVerbReadsThem(args.slice(1));
    assert.deepEqual(parsed.positional, []);
    const policy = serverPolicy(parsed, '/work');
    assert.equal(policy.level, 'strict');
    assert.deepEqual(policy.create, {
      image: 'aicli/base:latest',
      resources: { cpus: '1.5', memory: '1g', pidsLimit: '256' },
      egress: 'allowlist',
      allow: ['registry.npmjs.org', '*.github.com'],
      mount: 'review',
    });
    assert.equal(policy.allowApply, false);
    assert.deepEqual(policy.folderRoots, ['/home/dev/shop', '/home/dev/lib']);
    assert.deepEqual(labelArguments(parsed), { team: 'shop' });
  });

  it("takes the settings' defaults (egress and mount auto) as the verb does", () => {
    const defaults = {
      ...settings,
      defaultLevel: 'standard' as const,
      resources: { cpus: 1, memory: '512m', pidsLimit: 100, blkioWeight: 500 },
      egress: 'auto',
      allowedHosts: [],
      projectMount: 'auto',
      labels: {},
    };
    const policy = serverPolicy(asTheVerbReadsThem(mcpServerArgs(defaults, engine, ['/home/dev/shop']).slice(1)), '/work');
    assert.equal(policy.level, 'standard');
    assert.deepEqual(policy.create, {
      image: 'aicli/base:latest',
      resources: { cpus: '1', memory: '512m', pidsLimit: '100' },
      egress: 'auto',
      allow: [],
      mount: 'auto',
    });
  });

  it('leaves out what the settings do not set, and the folder roots without an open folder', () => {
    const bare = mcpServerArgs({ ...settings, resources: {}, egress: undefined, allowedHosts: [], projectMount: undefined, labels: {} }, engine, []);
    assert.deepEqual(bare, ['mcp', '--level', 'strict', '--image', 'aicli/base:latest']);
    const withApi = mcpServerArgs(settings, { apiVersion: '1.41' }, []);
    assert.deepEqual(withApi.slice(withApi.indexOf('--api-version'), withApi.indexOf('--api-version') + 2), ['--api-version', '1.41']);
  });

  it("names the extension's engine: aicli.docker.host first, then DOCKER_HOST, else nothing", () => {
    assert.deepEqual(mcpServerEnv(engine, {}), { ELECTRON_RUN_AS_NODE: '1' });
    assert.deepEqual(mcpServerEnv(engine, { DOCKER_HOST: 'unix:///run/user.sock' }), { ELECTRON_RUN_AS_NODE: '1', DOCKER_HOST: 'unix:///run/user.sock' });
    assert.deepEqual(mcpServerEnv({ ...engine, host: 'ssh://dev@box' }, { DOCKER_HOST: 'unix:///other.sock' }).DOCKER_HOST, 'ssh://dev@box');
    assert.deepEqual(mcpServerEnv({ ...engine, host: 'tcp://box:2376', tlsVerify: 'on', certPath: '/certs' }, {}), {
      ELECTRON_RUN_AS_NODE: '1',
      DOCKER_HOST: 'tcp://box:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs',
    });
  });

  it('writes the entry as "mcpServers" (Claude Code, Cursor) or as VS Code\'s "servers" with its stdio type', () => {
    const launch = { command: '/usr/bin/code', args: ['/ext/dist/cli.js', 'mcp'], env: { ELECTRON_RUN_AS_NODE: '1' } };
    assert.deepEqual(JSON.parse(mcpClientConfig(launch, 'mcpServers')), { mcpServers: { 'aicli-workspaces': launch } });
    assert.equal(mcpServerName, serversOwnName);
    assert.deepEqual(JSON.parse(mcpClientConfig(launch, 'servers')), { servers: { 'aicli-workspaces': { type: 'stdio', ...launch } } });
  });
});
