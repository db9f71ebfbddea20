import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineConnection } from '../../src/engine/connection';
import { connect } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { cliLabelArgs } from '../support/labels';
import { aicli } from '../support/cli';
import { sweepRun } from '../support/sweep';
import { countTestResources, testLabel, testRunId } from './support';

describe('aicli-ws workspace commands (real engine)', function () {
  this.timeout(60_000);
  let connection: EngineConnection;
  let folder: string;
  const name = `cli-${process.pid}`;
  const label = cliLabelArgs(testLabel);

  before(async () => {
    connection = await connect();
    folder = makeProjectFolder();
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
    rmSync(folder, { recursive: true, force: true });
  });

  it('creates, lists, runs commands with their exit code, stops and removes a workspace', async () => {
    const created = await aicli(
      'create',
      '--folder',
      folder,
      '--name',
      name,
      '--memory',
      '256m',
      '--publish',
      '18931:8080',
      '--env',
      'GREETING=hello=42',
      ...label,
      '--json',
    );
    assert.equal(created.code, 0, created.stderr);
    const workspace = JSON.parse(created.stdout);
    assert.equal(workspace.state, 'running');
    assert.deepEqual(workspace.ports, [{ hostIp: '127.0.0.1', hostPort: 18931, containerPort: 8080, protocol: 'tcp' }]);

    const listed = JSON.parse((await aicli('list', '--json')).stdout) as { name: string }[];
    assert.ok(listed.some((ws) => ws.name === name));
    const inspected = JSON.parse((await aicli('inspect', name)).stdout);
    assert.equal(inspected.HostConfig.Memory, 256 * 1024 * 1024);

    const exec = await aicli('exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(exec.code, 3);
    assert.equal(exec.stdout, 'out\n');
    assert.equal(exec.stderr, 'err\n');
    assert.equal((await aicli('exec', name, '--', 'sh', '-c', 'echo "$GREETING"')).stdout, 'hello=42\n');

    assert.match((await aicli('pause', name)).stdout, /paused/);
    assert.match((await aicli('unpause', name)).stdout, /running/);
    assert.match((await aicli('stop', name)).stdout, /exited/);
    assert.match((await aicli('start', name)).stdout, /running/);
    assert.match((await aicli('rm', name)).stdout, /folder is kept/);
    assert.ok(existsSync(join(folder, 'README.md')));
    assert.equal(readFileSync(join(folder, 'README.md'), 'utf8'), '# test project\n');
    assert.deepEqual(await countTestResources(connection.docker), { containers: 0, networks: 0 });
  });

  it('refuses bad input with exit code 2 and says what to do', async () => {
    const blocked = await aicli('create', '--folder', folder, '--publish', '22:22', ...label);
    assert.equal(blocked.code, 2);
    assert.match(blocked.stderr, /host port 22 is blocked by aicli\.network\.blockedPorts; publish on another host port/);
    const missing = await aicli('exec', 'no-such-workspace', '--', 'true');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No workspace "no-such-workspace"/);
    const usage = await aicli('create');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /create needs --folder DIR/);
    const badEnv = await aicli('create', '--folder', folder, '--env', 'MY-VAR=1', ...label);
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /Environment entry "MY-VAR=1": "MY-VAR" is not a variable name/);
    assert.deepEqual(await countTestResources(connection.docker), { containers: 0, networks: 0 });
  });
});
