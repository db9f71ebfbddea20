import * as assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { EngineConnection } from '../../src/engine/connection';
import { connect } from '../support/engine';
import { makeFolder, removeFolder } from '../support/folders';
import { cliLabelArgs } from '../support/labels';
import { McpSession, startMcp } from '../support/mcpClient';
import { aicli } from '../support/cli';
import { sweepRun } from '../support/sweep';
import { testLabel, testRunId } from './support';

describe('aicli-ws mcp refuses what an agent may not do, with a message it can act on (real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let mcp: McpSession;
  let folder: string;
  const name = `mcp-refusals-${process.pid}`;

  before(async () => {
    connection = await connect();
    folder = makeFolder('aicli-mcp-refusals-', { owner: 'user' });
    mcp = await startMcp([
      '--folder-root',
      tmpdir(),
      '--folder-root',
      '/etc',
      '--level',
      'standard',
      '--output-cap',
      '1000',
      '--max-timeout',
      '30',
      ...cliLabelArgs(testLabel),
    ]);
    // A stricter level than the server's is the agent's to ask for (the positive control of the level rule).
    const created = await mcp.call('workspace_create', { folder, name, level: 'strict' });
    assert.equal(created.isError, false, created.text);
    assert.match(created.text, /level strict/);
  });
  after(async () => {
    await mcp?.close();
    if (connection) await sweepRun(connection.docker, testRunId);
    if (folder) removeFolder(folder);
  });

  it('a weaker level than the server policy, and what only the person sets (ports, egress, mounts)', async () => {
    const weaker = await mcp.call('workspace_create', { folder, name: `${name}-b`, level: 'basic' });
    assert.equal(weaker.isError, true);
    assert.match(weaker.text, /Level "basic" is weaker than this server's policy \("standard"\): an agent may ask for standard, strict or sandboxed only/);
    for (const extra of [{ publish: ['0.0.0.0:8080:80'] }, { egress: 'open' }, { mount: 'bind' }, { engineSocket: true }]) {
      const refused = await mcp.call('workspace_create', { folder, name: `${name}-x`, ...extra });
      assert.equal(refused.isError, true, JSON.stringify(extra));
      assert.match(refused.text, /set by the person who started the server, never by an agent/, refused.text);
    }
    const listed = await mcp.call('workspace_list', {});
    assert.doesNotMatch(listed.text, new RegExp(`${name}-[bx]`));
  });

  it("a folder outside the server's roots, one the mount rules refuse, and an unknown workspace", async () => {
    for (const outside of ['/', '/var/tmp', '/root/.ssh']) {
      const refused = await mcp.call('workspace_create', { folder: outside, name: `${name}-out` });
      assert.equal(refused.isError, true, outside);
      assert.match(refused.text, /is outside the folders this server lets agents use \(.*\); ask the person to start it with --folder-root/);
    }
    const system = await mcp.call('workspace_create', { folder: '/etc', name: `${name}-etc` });
    assert.equal(system.isError, true);
    assert.match(system.text, /Mounting \/etc would expose the host's system files to the workspace; pick a project folder instead/);
    const unknown = await mcp.call('workspace_exec', { workspace: 'no-such-workspace', command: 'true' });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /No workspace "no-such-workspace" on this engine: call workspace_list to see them/);
  });

  it("a person's workspace at a weaker level is not the agent's to use", async () => {
    const basic = `${name}-basic`;
    const other = makeFolder('aicli-mcp-basic-', { owner: 'user' });
    try {
      const created = await aicli('create', '--folder', other, '--name', basic, '--level', 'basic', ...cliLabelArgs(testLabel));
      assert.equal(created.code, 0, created.stderr);
      const refused = await mcp.call('workspace_exec', { workspace: basic, command: 'id' });
      assert.equal(refused.isError, true);
      assert.match(
        refused.text,
        new RegExp(`Workspace ${basic} is not open to agents here: it runs at level basic, weaker than this server's policy \\(standard\\)`),
      );
      assert.doesNotMatch((await mcp.call('workspace_list', {})).text, new RegExp(basic));
      assert.match((await mcp.call('workspace_list', {})).text, new RegExp(`^${name}  running  level strict`, 'm'));
    } finally {
      await aicli('rm', basic, '--force');
      removeFolder(other);
    }
  });

  it('paths outside /workspace, by name or through a link in the box; inside works', async () => {
    for (const path of ['../etc/passwd', '/etc/passwd', '/workspace/../etc/shadow']) {
      const refused = await mcp.call('workspace_read_file', { workspace: name, path });
      assert.equal(refused.isError, true, path);
      assert.match(refused.text, /is outside \/workspace: the file tools reach only the project in the box/);
    }
    const cwd = await mcp.call('workspace_exec', { workspace: name, command: 'pwd', cwd: '/tmp' });
    assert.match(cwd.text, /"\/tmp" is outside \/workspace/);
    await mcp.call('workspace_exec', { workspace: name, command: 'ln -s /etc etc-link && ln -s /tmp tmp-link' });
    const throughLink = await mcp.call('workspace_read_file', { workspace: name, path: 'etc-link/passwd' });
    assert.match(throughLink.text, /etc-link\/passwd leads outside \/workspace through a symbolic link in the box/);
    const writeThroughLink = await mcp.call('workspace_write_file', { workspace: name, path: 'tmp-link/planted', content: 'x' });
    assert.match(writeThroughLink.text, /tmp-link\/planted leads outside \/workspace/);
    const planted = await mcp.call('workspace_exec', { workspace: name, command: 'ls /tmp' });
    assert.doesNotMatch(planted.data.stdout as string, /planted/);
    const inside = await mcp.call('workspace_write_file', { workspace: name, path: 'deep/er/file.txt', content: 'ok' });
    assert.equal(inside.isError, false, inside.text);
    assert.equal((await mcp.call('workspace_read_file', { workspace: name, path: 'deep/er/file.txt' })).text, 'ok');
  });

  it('output over the cap is cut with a marker, not an error; a long file too', async () => {
    const big = await mcp.call('workspace_exec', { workspace: name, command: "head -c 5000 /dev/zero | tr '\\0' a; echo err >&2" });
    assert.equal(big.isError, false, big.text);
    assert.equal((big.data.stdout as string).length, 1000);
    assert.equal(big.data.stderr, 'err\n');
    assert.match(big.text, /\[truncated: 4000 more bytes of stdout not shown \(cap 1000 bytes\)/);
    await mcp.call('workspace_exec', { workspace: name, command: 'seq 1 2000 > numbers.txt' });
    const file = await mcp.call('workspace_read_file', { workspace: name, path: 'numbers.txt' });
    assert.equal(file.isError, false);
    assert.match(file.text, /\[truncated: showing 1000 of 8893 bytes; read the rest through workspace_exec/);
    await mcp.call('workspace_exec', { workspace: name, command: 'mkdir many && cd many && seq 1 1500 | xargs touch' });
    const listing = await mcp.call('workspace_list_files', { workspace: name, path: 'many' });
    assert.equal(listing.isError, false, listing.text);
    assert.equal((listing.data.entries as unknown[]).length, 1000);
    assert.match(listing.text, /\[truncated: more than 1000 entries; list a subfolder or a smaller depth\]$/);
  });

  it('malformed arguments are schema errors, and the server goes on', async () => {
    const wrongType = await mcp.call('workspace_exec', { workspace: name, command: 42 });
    assert.equal(wrongType.isError, true);
    assert.match(wrongType.text, /Input validation error: Invalid arguments for tool workspace_exec/);
    const missing = await mcp.call('workspace_read_file', { workspace: name });
    assert.match(missing.text, /Input validation error/);
    const tooLong = await mcp.call('workspace_exec', { workspace: name, command: 'true', timeout_seconds: 31 });
    assert.match(tooLong.text, /timeout_seconds 31 is over the maximum of 30; ask for 30 or less/);
    const alive = await mcp.call('workspace_exec', { workspace: name, command: 'id -u' });
    assert.equal(alive.data.stdout, '1000\n');
  });

  it('a stopped workspace says how to start it; start brings it back', async () => {
    assert.equal((await mcp.call('workspace_stop', { workspace: name })).text, `Workspace ${name} is exited.`);
    const refused = await mcp.call('workspace_exec', { workspace: name, command: 'true' });
    assert.match(refused.text, new RegExp(`Workspace ${name} is exited, not running: start it with workspace_start`));
    assert.equal((await mcp.call('workspace_start', { workspace: name })).text, `Workspace ${name} is running.`);
    assert.equal((await mcp.call('workspace_exec', { workspace: name, command: 'echo back' })).data.stdout, 'back\n');
  });

  it('a bad policy flag stops the server before it serves', async () => {
    const failed = await aicli('mcp', '--level', 'lax');
    assert.equal(failed.code, 2, failed.stderr);
    assert.match(failed.stderr, /Isolation level "lax" is not one of basic, standard, strict/);
  });
});
