import * as assert from 'node:assert/strict';
import Docker from 'dockerode';
import { EngineConnection } from '../../src/engine/connection';
import { HealthCheckError, waitUntilHealthy } from '../../src/workspace/health';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../../src/workspace/build';
import { Workspace } from '../../src/workspace/model';
import { CreateStep } from '../../src/workspace/request';
import { baseImage, connect } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { everyKind, sweepRun } from '../support/sweep';
import { testLabel, testRunId, testWorkspaceService } from './support';

describe('waitUntilHealthy (real engine)', function () {
  this.timeout(90_000);
  let connection: EngineConnection;
  let count = 0;

  before(async () => {
    connection = await connect();
  });
  after(async () => {
    if (!connection) return;
    await sweepRun(connection.docker, testRunId, everyKind);
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

  async function imageWithHealthCheck(tag: string, check: string): Promise<void> {
    const context = mkdtempSync(join(tmpdir(), 'aicli-health-image-'));
    try {
      writeFileSync(join(context, 'Dockerfile'), `FROM ${baseImage}\nHEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD ${check}\n`);
      await buildImage(connection, { context, tag, labels: testLabel });
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  }

  async function createWaiting(image: string | undefined, name: string): Promise<{ workspace: Workspace; steps: CreateStep[]; ms: number }> {
    const folder = makeProjectFolder();
    const steps: CreateStep[] = [];
    const started = Date.now();
    try {
      const { workspace } = await testWorkspaceService().create({ folder, name, image }, (step) => steps.push(step), {
        waitUntilHealthy: { timeoutMs: 20_000 },
      });
      return { workspace, steps, ms: Date.now() - started };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it("create waits for the image's own health check to pass", async () => {
    const tag = `aicli-test-healthy-${testRunId}:latest`;
    await imageWithHealthCheck(tag, 'test -d /workspace');
    const { workspace, steps } = await createWaiting(tag, `healthy-${testRunId}`);
    assert.deepEqual(steps.slice(-2), ['starting', 'health']);
    assert.match(workspace.status, /\(healthy\)/);
  });

  it('create reports a failing image health check with its output and keeps the workspace for its logs', async () => {
    const tag = `aicli-test-unhealthy-${testRunId}:latest`;
    await imageWithHealthCheck(tag, 'echo "no /ready marker" && test -e /ready');
    const name = `unhealthy-${testRunId}`;
    await assert.rejects(
      createWaiting(tag, name),
      (err: unknown) => err instanceof HealthCheckError && err.failure === 'unhealthy' && err.lastOutput === 'no /ready marker',
    );
    const kept = await connection.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`aicli.workspace.name=${name}`] }) });
    assert.equal(kept.length, 1);
  });

  it('without a health check in the image, running is ready: create does not wait for our own mount check', async () => {
    const { workspace, steps, ms } = await createWaiting(undefined, `plain-${testRunId}`);
    assert.ok(!steps.includes('health'), steps.join(','));
    assert.equal(workspace.state, 'running');
    // Our check's first run is 30 s after start on this engine; the create is done long before.
    assert.ok(ms < 15_000, `create took ${ms} ms`);
  });
});
