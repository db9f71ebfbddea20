// Podman's Docker-compatible service as an engine (Debian's podman, our private service of
// scripts/podman.mjs): named as Podman, what it cannot make refused before anything is made, and
// what only reads works (events, logs, stats of its containers, images). Its workspaces: podmanWorkspace.test.ts.
import * as assert from 'node:assert/strict';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { DockerEvent } from '../../src/engine/events';
import { LogFollower } from '../../src/engine/logs';
import { podmanRefusals } from '../../src/isolation/podman';
import { statsOnce } from '../../src/monitor/statsOnce';
import { aicli } from '../support/cli';
import { baseImage, connect, connectedEngine } from '../support/engine';
import { makeFolder, removeFolder } from '../support/folders';
import { engineObjectCounts, startPodmanEngine, stopPodmanEngine } from '../support/podmanEngine';
import { waitFor } from '../support/waits';

describe('Podman as an engine (private podman system service, real)', function () {
  this.timeout(180_000);
  let host: string;
  let connection: EngineConnection;
  let engine: Engine | undefined;
  let folder: string;

  before(async () => {
    host = await startPodmanEngine();
    connection = await connect(host);
    engine = await connectedEngine(host);
    folder = makeFolder('aicli-podman-', { readme: '# p\n', owner: 'user' });
  });
  after(async () => {
    engine?.dispose();
    removeFolder(folder);
    await stopPodmanEngine();
  });

  const counts = (): Promise<string> => engineObjectCounts(connection);

  it('doctor names it Podman and says what it makes there', async () => {
    const doctor = await aicli('doctor', '--host', host);
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.match(doctor.stdout, /^Engine +Podman \d+\.\d+\.\d+$/m);
    assert.match(
      doctor.stdout,
      /Note: The engine at .* is Podman .*: workspaces at strict only, with the folder bound \(--mount bind\), on an engine on this machine/,
    );
  });

  it('refuses every other level, and the review mount, with the reason and the way out; nothing is made on the engine', async () => {
    const before = await counts();
    for (const level of ['basic', 'standard', 'sandboxed']) {
      const created = await aicli('create', '--host', host, '--folder', folder, '--name', `pod-${level}-${process.pid}`, '--level', level, '--mount', 'bind');
      assert.equal(created.code, 2, created.stderr);
      assert.ok(created.stderr.includes(podmanRefusals.level), `${level}: ${created.stderr}`);
      assert.match(created.stderr, /Create with --level strict \(aicli\.isolation\.level\), or use a Docker engine\./);
    }
    const review = await aicli('create', '--host', host, '--folder', folder, '--name', `pod-review-${process.pid}`, '--level', 'strict');
    assert.equal(review.code, 2, review.stderr);
    assert.ok(review.stderr.includes(podmanRefusals.mount), review.stderr);
    assert.equal(await counts(), before);
  });

  it("what only reads works: a container's start, die and destroy events, its logs and a stats sample, the images", async () => {
    const events: DockerEvent[] = [];
    const subscription = engine!.onEvent((event) => events.push(event));
    const container = await connection.docker.createContainer({
      Image: baseImage,
      Cmd: ['sh', '-c', 'for i in 1 2 3; do echo line $i; done; sleep 5'],
      HostConfig: { NetworkMode: 'none' },
    });
    const lines: string[] = [];
    const follower = new LogFollower(engine!, container.id, {
      tail: 100,
      onLines: (got) => lines.push(...got.map((line) => line.text)),
      onEnd: () => undefined,
    });
    try {
      await container.start();
      follower.start();
      await waitFor<void>('three log lines', 20_000, (resolve) => {
        const timer = setInterval(() => lines.length >= 3 && resolve(), 100);
        return { dispose: () => clearInterval(timer) };
      });
      assert.deepEqual(lines.slice(0, 3), ['line 1', 'line 2', 'line 3']);
      const sample = await statsOnce(connection, container.id, 15_000); // Podman streams a sample every 5 s
      assert.ok(sample && sample.memoryUsedBytes > 0 && sample.pids >= 1, JSON.stringify(sample));
      await container.wait();
      await waitFor<void>('the die event', 10_000, (resolve) => {
        const timer = setInterval(() => events.some((event) => event.Actor?.ID === container.id && event.Action === 'die') && resolve(), 100);
        return { dispose: () => clearInterval(timer) };
      });
      assert.ok(events.some((event) => event.Actor?.ID === container.id && event.Action === 'start'));
      const images = await aicli('images', '--host', host, '--json');
      assert.equal(images.code, 0, images.stderr);
      assert.match(images.stdout, /aicli\/base:latest/);
      // Podman says "remove"; the product reads it as dockerd's "destroy" (the tree drops the row on it).
      await container.remove({ force: true });
      await waitFor<void>('the destroy event', 10_000, (resolve) => {
        const timer = setInterval(() => events.some((event) => event.Actor?.ID === container.id && event.Action === 'destroy') && resolve(), 100);
        return { dispose: () => clearInterval(timer) };
      });
    } finally {
      follower.dispose();
      subscription.dispose();
      await container.remove({ force: true }).catch(() => undefined);
    }
  });
});
