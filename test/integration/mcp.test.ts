import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolJsonSchema } from '../../src/agent/tool';
import { allAgentTools } from '../../src/agent/tools';
import { EngineConnection } from '../../src/engine/connection';
import { connect } from '../support/engine';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { cliLabelArgs, runFilters } from '../support/labels';
import { McpSession, startMcp } from '../support/mcpClient';
import { aicli } from '../support/cli';
import { countRun, sweepRun } from '../support/sweep';
import { poll } from '../support/waits';
import { testLabel, testRunId } from './support';

const run = promisify(execFile);

/** What is left of this run on the engine: containers, networks and volumes carrying its label. */
async function leftovers(connection: EngineConnection): Promise<number> {
  const { containers, networks } = await countRun(connection.docker, testRunId);
  const volumes = (await connection.docker.listVolumes({ filters: runFilters(testRunId) })).Volumes ?? [];
  return containers + networks + volumes.length;
}

describe('aicli-ws mcp: an agent through the SDK client (uid-1000 folder, real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let mcp: McpSession;
  let folder: string;
  const name = `mcp-${process.pid}`;

  before(async () => {
    connection = await connect();
    folder = makeFolder('aicli-mcp-', { owner: 'user', readme: '# mcp test\n' });
    await run('chown', [`${folderUser.uid}:${folderUser.gid}`, `${folder}/README.md`]);
    mcp = await startMcp(['--folder-root', tmpdir(), '--output-cap', '4096', ...cliLabelArgs(testLabel)]);
  });
  after(async () => {
    await mcp?.close();
    if (connection) await sweepRun(connection.docker, testRunId);
    if (folder) removeFolder(folder);
  });

  it('lists its tools with their schemas; apply only when the server was started with --allow-apply', async () => {
    const { tools } = await mcp.client.listTools();
    assert.deepEqual(
      tools.map((tool) => tool.name),
      [
        'workspace_list',
        'workspace_create',
        'workspace_exec',
        'workspace_read_file',
        'workspace_write_file',
        'workspace_list_files',
        'workspace_logs',
        'workspace_changes',
        'workspace_diff',
        'workspace_alerts',
        'workspace_start',
        'workspace_stop',
        'workspace_remove',
      ],
    );
    // The schemas docs/agent-tools.md shows (made from the same table) are the ones served.
    for (const tool of tools) {
      const own = allAgentTools.find((candidate) => candidate.name === tool.name);
      assert.deepEqual(tool.inputSchema, { ...toolJsonSchema(own!), $schema: 'http://json-schema.org/draft-07/schema#' }, tool.name);
    }
    const exec = tools.find((tool) => tool.name === 'workspace_exec');
    assert.deepEqual(exec?.inputSchema.required, ['workspace', 'command']);
    assert.equal(exec?.annotations?.readOnlyHint, false);
    const applying = await startMcp(['--allow-apply']);
    try {
      assert.ok((await applying.client.listTools()).tools.some((tool) => tool.name === 'workspace_apply'));
    } finally {
      await applying.close();
    }
  });

  it('creates a workspace with progress, runs a command (42, exit 3), writes, reads and lists a file, reads the log', async () => {
    const steps: string[] = [];
    const created = await mcp.call('workspace_create', { folder, name }, { onprogress: (progress) => steps.push(progress.message ?? '') });
    assert.equal(created.isError, false, created.text);
    assert.match(created.text, new RegExp(`Created workspace ${name} \\(running, level standard, mount review\\)`));
    assert.ok(steps.includes('Creating the container'), `progress: ${steps.join(' | ')}`);

    const answer = await mcp.call('workspace_exec', { workspace: name, command: "sh -c 'echo $((6*7)); exit 3'" });
    assert.equal(answer.isError, false, answer.text);
    assert.equal(answer.data.exitCode, 3);
    assert.equal(answer.data.stdout, '42\n');
    assert.match(answer.text, /^Exit code 3 /);

    const written = await mcp.call('workspace_write_file', { workspace: name, path: 'src/notes/hello.txt', content: 'héllo\nwörld\n' });
    assert.equal(written.isError, false, written.text);
    const read = await mcp.call('workspace_read_file', { workspace: name, path: '/workspace/src/notes/hello.txt' });
    assert.equal(read.text, 'héllo\nwörld\n');
    const listed = await mcp.call('workspace_list_files', { workspace: name, depth: 3 });
    assert.match(listed.text, /^README\.md {2}11 bytes$/m);
    assert.match(listed.text, /^src\/notes\/hello\.txt {2}14 bytes$/m);

    await mcp.call('workspace_exec', { workspace: name, command: 'echo from-the-main-process > /proc/1/fd/1' });
    const logs = await mcp.call('workspace_logs', { workspace: name, lines: 20 });
    assert.match(logs.text, /from-the-main-process/);
  });

  it('kills a command past its timeout in the box, with what it started: no process is left', async () => {
    const answer = await mcp.call('workspace_exec', { workspace: name, command: 'sleep 301 & sleep 302', timeout_seconds: 2 });
    assert.equal(answer.isError, true);
    assert.match(answer.text, /^Timed out after 2 s: the command and every process it started were killed in the box\./);
    const ps = await mcp.call('workspace_exec', { workspace: name, command: 'ps -o pid,args' });
    assert.doesNotMatch(ps.data.stdout as string, /sleep 30[12]/);
    // Positive control: a command that finishes in time keeps its background child.
    const kept = await mcp.call('workspace_exec', { workspace: name, command: 'sleep 303 > /dev/null 2>&1 & echo started' });
    assert.equal(kept.data.exitCode, 0);
    assert.match((await mcp.call('workspace_exec', { workspace: name, command: 'ps -o args' })).data.stdout as string, /sleep 303/);
  });

  it('cancellation by the client kills the command in the box', async () => {
    const controller = new AbortController();
    const call = mcp.call('workspace_exec', { workspace: name, command: 'sleep 304' }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    controller.abort();
    await assert.rejects(call);
    // The server kills on the cancellation notification; give its helper exec a moment.
    const stdout = await poll(
      'sleep 304 gone from the box',
      5000,
      async () => {
        const processes = (await mcp.call('workspace_exec', { workspace: name, command: 'ps -o args' })).data.stdout as string;
        return /sleep 304/.test(processes) ? undefined : processes;
      },
      250,
    );
    assert.doesNotMatch(stdout, /sleep 304/);
    const record = new RegExp(`agent tool workspace_exec ${name}: cancelled \\(\\d+ ms\\) The command was cancelled`);
    await poll('the record of the cancelled exec', 5000, () => record.test(mcp.stderr()), 250);
    assert.match(mcp.stderr(), record);
  });

  it('a create the client cancels leaves nothing behind', async () => {
    const cancelled = `${name}-cancelled`;
    const controller = new AbortController();
    const call = mcp.call('workspace_create', { folder, name: cancelled }, { signal: controller.signal, onprogress: () => controller.abort() });
    await assert.rejects(call);
    const record = new RegExp(`agent tool workspace_create ${cancelled}: cancelled \\(\\d+ ms\\) Cancelled: workspace ${cancelled} was removed again`);
    await poll('the record of the cancelled create', 10_000, () => record.test(mcp.stderr()), 250);
    assert.match(mcp.stderr(), record);
    const containers = await connection.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`aicli.workspace.name=${cancelled}`] }) });
    assert.deepEqual(containers, []);
  });

  it('with --allow-apply an agent applies a change to the folder as its owner, never a protected path', async () => {
    const applying = await startMcp(['--folder-root', tmpdir(), '--allow-apply']);
    try {
      await mcp.call('workspace_write_file', { workspace: name, path: 'applied.txt', content: 'from the agent\n' });
      await mcp.call('workspace_write_file', { workspace: name, path: '.vscode/settings.json', content: '{"x": 1}\n' });
      const protectedOne = await applying.call('workspace_apply', { workspace: name, paths: ['.vscode/settings.json'] });
      assert.equal(protectedOne.isError, true);
      assert.match(protectedOne.text, /\.vscode\/settings\.json is a protected path/);
      assert.equal(existsSync(join(folder, '.vscode')), false);
      const applied = await applying.call('workspace_apply', { workspace: name, paths: ['applied.txt'] });
      assert.equal(applied.isError, false, applied.text);
      assert.equal(readFileSync(join(folder, 'applied.txt'), 'utf8'), 'from the agent\n');
      assert.equal(statSync(join(folder, 'applied.txt')).uid, folderUser.uid);
      // Without the flag the tool is not there at all, and a call to it is refused by the SDK.
      const absent = await mcp.call('workspace_apply', { workspace: name });
      assert.equal(absent.isError, true);
      assert.match(absent.text, /Tool workspace_apply not found/);
    } finally {
      await applying.close();
    }
  });

  it('shows the changes and their diff; refuses to remove while changes are unapplied, removes after a person discards them', async () => {
    const changes = await mcp.call('workspace_changes', { workspace: name });
    assert.match(changes.text, /^added {6}src\/notes\/hello\.txt$/m);
    const diff = await mcp.call('workspace_diff', { workspace: name, paths: ['src/notes/hello.txt'] });
    assert.match(diff.text, /^\+\+\+ b\/src\/notes\/hello\.txt$/m);
    assert.match(diff.text, /^\+wörld$/m);

    const refused = await mcp.call('workspace_remove', { workspace: name });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /unapplied change.*an agent cannot remove it/);
    const discarded = await aicli('discard', name);
    assert.equal(discarded.code, 0, discarded.stderr);

    const removed = await mcp.call('workspace_remove', { workspace: name });
    assert.equal(removed.isError, false, removed.text);
    assert.equal(await leftovers(connection), 0);
    assert.match(mcp.stderr(), new RegExp(`agent tool workspace_remove ${name}: ok \\(\\d+ ms\\) removed`));
  });
});
