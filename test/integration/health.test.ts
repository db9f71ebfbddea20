import * as assert from 'node:assert/strict';
import Docker from 'dockerode';
import { EngineConnection } from '../../src/engine/connection';
import { HealthCheckError, waitUntilHealthy } from '../../src/workspace/health';
import { rmSync } from 'node:fs';
import { baseImage, connect, makeProjectFolder, sweepTestResources, testLabel, testRunId, testWorkspaceService } from './support';

describe('waitUntilHealthy (real engine)', function () {
  this.timeout(90_000);
  let connection: EngineConnection;
  let count = 0;

  before(async () => {
    connection = await connect();
  });
  after(async () => {
    if (connection) await sweepTestResources(connection.docker);
  });

  async function run(healthcheck: Docker.ContainerCreateOptions['Healthcheck'] | undefined, cmd = ['sleep', '300']): Promise<Docker.Container> {
    const container = await connection.untimed.createContainer({
      name: `health-${testRunId}-${count++}`,
      Image: baseImage,
      Cmd: cmd,
      Labels: testLabel,
      Healthcheck: healthcheck,
      StopSignal: 'SIGKILL',
    });
    await container.start();
    return container;
  }
  const every = (test: string[], retries = 2) => ({ Test: test, Interval: 1e9, Timeout: 2e9, Retries: retries, StartPeriod: 0 });

  it('resolves once a passing health check reports healthy', async () => {
    const container = await run(every(['CMD-SHELL', 'echo fine']));
    const started = Date.now();
    await waitUntilHealthy(connection, container.id, { timeoutMs: 20_000 });
    assert.equal(((await container.inspect()).State as { Health?: { Status: string } }).Health?.Status, 'healthy');
    assert.ok(Date.now() - started < 15_000);
  });

  it('rejects with the last health-check output when the check fails', async () => {
    const container = await run(every(['CMD-SHELL', 'echo "database not ready on port 5432"; exit 1']));
    await assert.rejects(waitUntilHealthy(connection, container.id, { timeoutMs: 30_000 }), (err: unknown) => {
      assert.ok(err instanceof HealthCheckError, String(err));
      assert.equal(err.failure, 'unhealthy');
      assert.equal(err.lastOutput, 'database not ready on port 5432');
      assert.match(err.message, /database not ready on port 5432/);
      return true;
    });
  });

  it('resolves at once for a running container without a health check', async () => {
    const container = await run({ Test: ['NONE'] });
    await waitUntilHealthy(connection, container.id, { timeoutMs: 5_000 });
  });

  it('times out with the output so far while the check is still starting', async () => {
    // Fails, but 100 retries keep it "starting" well past the timeout.
    const container = await run(every(['CMD-SHELL', 'echo still warming up; exit 1'], 100));
    await assert.rejects(waitUntilHealthy(connection, container.id, { timeoutMs: 3_500 }), (err: unknown) => {
      assert.ok(err instanceof HealthCheckError, String(err));
      assert.equal(err.failure, 'timeout');
      assert.equal(err.lastOutput, 'still warming up');
      return true;
    });
  });

  it('rejects when the container exits instead of becoming healthy', async () => {
    // Exits before the first check (1 s) can report healthy.
    const container = await run(every(['CMD-SHELL', 'true']), ['sh', '-c', 'exit 4']);
    await assert.rejects(waitUntilHealthy(connection, container.id, { timeoutMs: 20_000 }), (err: unknown) => {
      assert.ok(err instanceof HealthCheckError, String(err));
      assert.equal(err.failure, 'exited');
      assert.match(err.message, /exited with code 4/);
      return true;
    });
  });

  it('WorkspaceService.create waits until the workspace is healthy when asked to', async () => {
    const folder = makeProjectFolder();
    try {
      // The workspace's own check runs every 30 s (Docker 20.10 has no start interval), so this waits ~30 s.
      const { workspace } = await testWorkspaceService().create({ folder, name: `healthy-${process.pid}` }, () => {}, { waitUntilHealthy: { timeoutMs: 60_000 } });
      assert.match(workspace.status, /\(healthy\)/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
