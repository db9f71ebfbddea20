import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineConnection } from '../../src/engine/connection';
import { FrameDemuxer } from '../../src/engine/demux';
import { BuildError, buildImage } from '../../src/workspace/build';
import { connect } from '../support/engine';
import { cliPath } from '../support/paths';
import { everyKind, sweepRun } from '../support/sweep';
import { testLabel, testRunId } from './support';

describe('image build (real engine)', function () {
  this.timeout(120_000);
  let connection: EngineConnection;
  let context: string;
  const tag = `aicli-test-build-${testRunId}:latest`;

  before(async () => {
    connection = await connect();
    context = mkdtempSync(join(tmpdir(), 'aicli-build-'));
    mkdirSync(join(context, 'src'));
    mkdirSync(join(context, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(context, 'src', 'main.txt'), 'main\n');
    writeFileSync(join(context, 'secret.env'), 'TOKEN=1\n');
    writeFileSync(join(context, 'debug.log'), 'noise\n');
    writeFileSync(join(context, 'keep.log'), 'kept\n');
    writeFileSync(join(context, 'node_modules', 'dep', 'index.js'), '\n');
    writeFileSync(join(context, '.dockerignore'), 'secret.env\nnode_modules\n*.log\n!keep.log\n');
    writeFileSync(join(context, 'Dockerfile'), 'FROM aicli/base\nCOPY . /ctx/\nRUN find /ctx -type f | sort > /listing.txt\nCMD ["cat", "/listing.txt"]\n');
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId, everyKind);
    rmSync(context, { recursive: true, force: true });
  });

  it('builds from a Dockerfile FROM aicli/base, honours .dockerignore, labels the image managed and streams output', async () => {
    const lines: string[] = [];
    const built = await buildImage(connection, { context, tag, labels: testLabel }, (line) => lines.push(line));
    assert.ok(
      lines.some((line) => /^Step 1\/\d+ : FROM aicli\/base/.test(line)),
      lines.join('\n'),
    );
    const info = await connection.docker.getImage(tag).inspect();
    assert.equal(info.Id, built.imageId);
    assert.equal(info.Config.Labels?.['aicli.managed'], 'true');
    assert.equal(info.Config.Labels?.['aicli.test.run'], testRunId);

    const container = await connection.untimed.createContainer({ Image: tag, Labels: testLabel, name: `build-${testRunId}` });
    await container.start();
    await container.wait();
    let text = '';
    new FrameDemuxer((_kind, payload) => (text += payload.toString())).push((await container.logs({ stdout: true, follow: false })) as unknown as Buffer);
    assert.deepEqual(text.trim().split('\n'), ['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/keep.log', '/ctx/src/main.txt']);
  });

  it('points at the failing step and leaves no intermediate container', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'aicli-build-fail-'));
    try {
      writeFileSync(join(failing, 'Dockerfile'), 'FROM aicli/base\nRUN echo compiling && exit 3\n');
      const lines: string[] = [];
      await assert.rejects(
        buildImage(connection, { context: failing, tag: `aicli-test-build-fail-${testRunId}:latest`, labels: testLabel }, (line) => lines.push(line)),
        (err: unknown) => {
          assert.ok(err instanceof BuildError, String(err));
          // The engine appends the labels as steps of its own, so the total varies.
          assert.match(err.step ?? '', /^Step 2\/\d+ : RUN echo compiling && exit 3$/);
          assert.match(err.message, /failed at Step 2\/\d+ : RUN echo compiling && exit 3: .*returned a non-zero code: 3/);
          return true;
        },
      );
      assert.ok(lines.includes('compiling'), lines.join('\n'));
      const leftovers = await connection.docker.listContainers({
        all: true,
        filters: JSON.stringify({ ancestor: ['aicli/base:latest'], status: ['exited', 'created'] }),
      });
      assert.ok(!leftovers.some((row) => row.Command.includes('compiling')), 'intermediate container removed');
    } finally {
      rmSync(failing, { recursive: true, force: true });
    }
  });

  it('aicli-ws build reports a missing Dockerfile as an input error', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aicli-build-empty-'));
    try {
      const result = await promisify(execFile)(process.execPath, [cliPath, 'build', empty, '--tag', 'never-built:latest']).catch(
        (err: { code: number; stderr: string }) => err,
      );
      assert.equal((result as { code: number }).code, 2);
      assert.match((result as { stderr: string }).stderr, /No Dockerfile in/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
