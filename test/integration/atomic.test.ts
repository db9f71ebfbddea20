import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { EngineConnection } from '../../src/engine/connection';
import { EngineError, InputError } from '../../src/engine/errors';
import { CreateWorkspaceRequest } from '../../src/workspace/request';
import { WorkspaceService } from '../../src/workspace/service';
import { connect } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { sweepRun } from '../support/sweep';
import { countTestResources, execIn, testRunId, testWorkspaceService } from './support';

function folderDigest(folder: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(folder).sort()) hash.update(name).update(readFileSync(join(folder, name)));
  return hash.digest('hex');
}

describe('validation and atomic create on the real engine', function () {
  this.timeout(120_000);
  let service: WorkspaceService;
  let connection: EngineConnection;
  let folder: string;

  before(async () => {
    service = testWorkspaceService();
    connection = await connect();
    folder = makeProjectFolder();
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
    rmSync(folder, { recursive: true, force: true });
  });

  async function refusedBeforeAnythingExists(request: Partial<CreateWorkspaceRequest>, message: RegExp): Promise<void> {
    const before = await countTestResources(connection.docker);
    await assert.rejects(service.create({ folder, ...request }), (err: unknown) => {
      assert.ok(err instanceof InputError || err instanceof EngineError, String(err));
      assert.match((err as Error).message, message);
      return true;
    });
    assert.deepEqual(await countTestResources(connection.docker), before, `leftovers after ${JSON.stringify(request)}`);
  }

  it('refuses bad input with a clear message and creates nothing', async () => {
    await refusedBeforeAnythingExists({ name: 'v1', publish: ['22:22'] }, /host port 22 is blocked by aicli\.network\.blockedPorts/);
    await refusedBeforeAnythingExists({ name: 'v2', publish: ['8080:80'] }, /host port 8080 is blocked/);
    await refusedBeforeAnythingExists({ name: 'v3', publish: ['1023:80'] }, /privileged \(below 1024\)/);
    await refusedBeforeAnythingExists({ name: 'v4', folder: '/' }, /host's system files/);
    await refusedBeforeAnythingExists({ name: 'v5', folder: '/etc' }, /host's system files/);
    await refusedBeforeAnythingExists({ name: 'v6', folder: '/var/run' }, /engine socket/);
    await refusedBeforeAnythingExists({ name: 'v7', resources: { memory: 'abc' } }, /memory "abc" is not a size/);
    await refusedBeforeAnythingExists({ name: 'v8', resources: { cpus: '-1' } }, /cpus "-1" is not a CPU count/);
    await refusedBeforeAnythingExists({ name: 'v9', resources: { cpus: '0' } }, /cpus "0" is not a CPU count/);
    await refusedBeforeAnythingExists({ name: 'v10', resources: { cpus: '64' } }, /more than the engine has/);
    await refusedBeforeAnythingExists({ name: 'v11', resources: { pidsLimit: '0' } }, /pidsLimit "0" must be a whole number/);
    await refusedBeforeAnythingExists({ name: 'v12', level: 'paranoid' }, /Isolation level "paranoid" is not one of basic, standard, strict/);
    await refusedBeforeAnythingExists({ name: 'bad name!' }, /Workspace name "bad name!" must start with/);
    await refusedBeforeAnythingExists({ name: 'v13', image: 'aicli/does-not-exist:1' }, /Image aicli\/does-not-exist:1 is not on the engine/);
  });

  it('refuses a second workspace with the same name', async () => {
    await service.create({ folder, name: `unique-${process.pid}` });
    await refusedBeforeAnythingExists({ name: `unique-${process.pid}` }, /already exists/);
    await service.remove(`unique-${process.pid}`);
  });

  it('a host port already in use fails the start and leaves no container or network', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await refusedBeforeAnythingExists({ name: `busy-${process.pid}`, publish: [`${port}:9000`] }, /address already in use|port is already allocated/);
    } finally {
      server.close();
    }
  });

  it('a publish address the host does not have fails the start and is rolled back', async () => {
    // The engine creates network and container, then cannot bind the port at start.
    await refusedBeforeAnythingExists(
      { name: `noaddr-${process.pid}`, publish: ['10.254.254.254:18888:9000'] },
      /cannot assign requested address|Error starting userland proxy/,
    );
  });

  it('remove keeps every file in the folder, including files written from inside', async () => {
    // A bind: what the box writes lands in the folder at once, and must survive the remove.
    const { workspace } = await service.create({ folder, name: `keep-${process.pid}`, mount: 'bind' });
    assert.equal((await execIn(service, workspace.name, ['sh', '-c', 'echo inside > /workspace/made-inside.txt'])).code, 0);
    const digest = folderDigest(folder);
    await service.remove(workspace.name);
    assert.deepEqual(readdirSync(folder).sort(), ['README.md', 'made-inside.txt']);
    assert.equal(readFileSync(join(folder, 'made-inside.txt'), 'utf8'), 'inside\n');
    assert.equal(folderDigest(folder), digest);
    assert.deepEqual(await countTestResources(connection.docker), { containers: 0, networks: 0 });
  });
});
