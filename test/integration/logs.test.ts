import * as assert from 'node:assert/strict';
import Docker from 'dockerode';
import { Engine } from '../../src/engine/engine';
import { LogLine } from '../../src/engine/logLines';
import { LogFollower } from '../../src/engine/logs';
import { baseImage, connect, targetFor } from '../support/engine';
import { sweepRun } from '../support/sweep';
import { buildBaseImageOn, discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from '../support/throwawayEngine';
import { poll } from '../support/waits';
import { testLabel, testRunId } from './support';

interface Followed {
  lines: LogLine[];
  ended: Promise<string>;
  follower: LogFollower;
}

function follow(engine: Engine, containerId: string, tail = 1000): Followed {
  const lines: LogLine[] = [];
  let resolveEnd: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (resolveEnd = resolve));
  const follower = new LogFollower(engine, containerId, { tail, onLines: (batch) => lines.push(...batch), onEnd: resolveEnd });
  follower.start();
  return { lines, ended, follower };
}

function stdoutOf(followed: Followed): LogLine[] {
  return followed.lines.filter((line) => line.stream === 'stdout');
}

function stderrOf(followed: Followed): string[] {
  return followed.lines.filter((line) => line.stream === 'stderr').map((line) => line.text);
}

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  await poll(what, timeoutMs, check);
}

function assertNumbered(lines: LogLine[], count: number): void {
  const numbers = lines.map((line) => Number(line.text));
  const firstWrong = numbers.findIndex((value, index) => value !== index + 1);
  assert.equal(firstWrong, -1, `line ${firstWrong} is ${numbers[firstWrong]} (neighbours ${numbers.slice(Math.max(0, firstWrong - 2), firstWrong + 3)})`);
  assert.equal(numbers.length, count);
}

describe('log following (real engine)', function () {
  this.timeout(120_000);
  let engine: Engine;
  let docker: Docker;

  before(async () => {
    engine = new Engine(() => targetFor());
    engine.start();
    docker = (await connect()).docker;
    await engine.connection();
  });
  after(async () => {
    engine?.dispose();
    if (docker) await sweepRun(docker, testRunId);
  });

  async function run(cmd: string, options: Partial<Docker.ContainerCreateOptions> = {}): Promise<Docker.Container> {
    const container = await docker.createContainer({
      Image: baseImage,
      Cmd: ['sh', '-c', cmd],
      Labels: testLabel,
      ...options,
      HostConfig: { Init: true, ...options.HostConfig },
    });
    await container.start();
    return container;
  }

  it('delivers 100 000 numbered lines once each and in order', async () => {
    const container = await run('seq 1 100000; sleep 3600');
    const started = Date.now();
    const followed = follow(engine, container.id, 200_000);
    await until('100 000 lines', 60_000, () => followed.lines.length >= 100_000);
    console.log(`      100 000 lines in ${Date.now() - started} ms`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertNumbered(followed.lines, 100_000);
    assert.ok(followed.lines.every((line) => line.stream === 'stdout'));
    followed.follower.dispose();
    assert.equal(await followed.ended, 'stopped following');
  });

  for (const runtime of ['runc', 'runsc']) {
    // The marker that tells the second run from the first lives in a volume: gVisor keeps the
    // root filesystem's changes in memory, lost at the restart.
    async function restarting(secondRun: string): Promise<Docker.Container> {
      const marker = await docker.createVolume({ Name: `aicli-test-logs-${testRunId}-${runtime}-${Date.now()}`, Labels: testLabel });
      return run(`if [ -f /state/second ]; then ${secondRun}; else touch /state/second; seq 1 50000; echo err-1 >&2; exit 1; fi`, {
        HostConfig: {
          Runtime: runtime,
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 },
          Mounts: [{ Type: 'volume', Source: marker.name, Target: '/state' }],
        },
      });
    }

    it(`keeps following across a restart in the middle (${runtime}): nothing twice, nothing lost`, async () => {
      // The first run prints 1..50000 and fails; the restart policy starts it again and the
      // second run prints 50001..100000.
      const container = await restarting('seq 50001 100000; echo err-2 >&2; sleep 3600');
      const followed = follow(engine, container.id, 200_000);
      await until('100 000 lines and two errors across the restart', 60_000, () => followed.lines.length >= 100_002);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assertNumbered(stdoutOf(followed), 100_000);
      assert.deepEqual(stderrOf(followed), ['err-1', 'err-2']);
      assert.equal((await container.inspect()).RestartCount, 1);
      followed.follower.dispose();
    });

    it(`gets a second run that ends while the first run's lines are still read (${runtime})`, async () => {
      // The engine's follow stream of the second run ended at its exit before its lines (measured
      // on both runtimes), and its start event came while we were still attached.
      const container = await restarting('seq 50001 100000; echo err-2 >&2');
      const followed = follow(engine, container.id, 200_000);
      await until('both runs', 60_000, () => followed.lines.length >= 100_002);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assertNumbered(stdoutOf(followed), 100_000);
      assert.deepEqual(stderrOf(followed), ['err-1', 'err-2']);
      const info = await container.inspect();
      assert.equal(info.RestartCount, 1);
      assert.equal(info.HostConfig.Runtime, runtime);
      followed.follower.dispose();
    });
  }

  it('a gVisor (runsc) box: numbered lines once each and in order, stderr apart', async () => {
    // gVisor's output reaches the engine in bursts, so the stderr line is stored after stdout lines
    // stamped later than itself; a follower that kept one position for both streams dropped it.
    const container = await run('seq 1 10000; echo to-err >&2; sleep 3600', { HostConfig: { Runtime: 'runsc' } });
    const followed = follow(engine, container.id, 20_000);
    await until('10 000 lines and the error', 60_000, () => followed.lines.length >= 10_001);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertNumbered(stdoutOf(followed), 10_000);
    assert.deepEqual(stderrOf(followed), ['to-err']);
    assert.equal((await container.inspect()).HostConfig.Runtime, 'runsc');
    followed.follower.dispose();
  });

  it('keeps stderr apart for non-TTY containers and reads TTY containers raw', async () => {
    const plain = await run('echo to-out; echo to-err >&2; sleep 3600');
    const tty = await run('echo from-tty; sleep 3600', { Tty: true });
    const a = follow(engine, plain.id);
    const b = follow(engine, tty.id);
    await until('both outputs', 10_000, () => a.lines.length >= 2 && b.lines.length >= 1);
    assert.deepEqual(a.lines.map((line) => [line.stream, line.text]).sort(), [
      ['stderr', 'to-err'],
      ['stdout', 'to-out'],
    ]);
    assert.deepEqual(
      b.lines.map((line) => [line.stream, line.text]),
      [['tty', 'from-tty']],
    );
    a.follower.dispose();
    b.follower.dispose();
  });

  it('ends the follow when the container is removed', async () => {
    const container = await run('echo bye; sleep 3600');
    const followed = follow(engine, container.id);
    await until('the first line', 10_000, () => followed.lines.length === 1);
    await container.remove({ force: true });
    assert.equal(await followed.ended, 'the container was removed');
  });
});

describe('log following across an engine restart (throwaway engine)', function () {
  this.timeout(180_000);
  let throwaway: ThrowawayEngine | undefined;

  after(() => discardThrowawayEngine(throwaway));

  it('re-attaches after the engine comes back, without repeating lines', async () => {
    throwaway = await startThrowawayEngine(`logs-${process.pid}`);
    await buildBaseImageOn(throwaway.host);
    const engine = new Engine(() => targetFor(throwaway!.host), { backoffMs: { initial: 100, max: 500 } });
    engine.start();
    try {
      const docker = (await engine.connection()).docker;
      // `always` brings the container back when its engine restarts; the marker file tells
      // the second run from the first.
      const container = await docker.createContainer({
        Image: baseImage,
        Cmd: ['sh', '-c', 'if [ -f /tmp/again ]; then echo second-run; else touch /tmp/again; echo first-run; fi; sleep 3600'],
        Labels: testLabel,
        HostConfig: { Init: true, RestartPolicy: { Name: 'always' } },
      });
      await container.start();
      const followed = follow(engine, container.id);
      await until('the first run', 10_000, () => followed.lines.length === 1);
      await throwaway.stop();
      await throwaway.start();
      await until('the second run after the engine restart', 60_000, () => followed.lines.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(
        followed.lines.map((line) => line.text),
        ['first-run', 'second-run'],
      );
      followed.follower.dispose();
      // After dispose nothing more arrives, even when the container prints again.
      await (await engine.connection()).docker.getContainer(container.id).restart({ t: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(followed.lines.length, 2);
      await (await engine.connection()).docker.getContainer(container.id).remove({ force: true });
    } finally {
      engine.dispose();
    }
  });
});
