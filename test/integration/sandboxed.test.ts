import * as assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine';
import { DockerEvent } from '../../src/engine/events';
import { gvisorLimits, gvisorRuntime } from '../../src/isolation/runtime';
import { statsOnce } from '../../src/monitor/statsOnce';
import { labels } from '../../src/workspace/model';
import { targetFor } from '../support/engine';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { waitFor } from '../support/waits';
import { execIn, testLabel, workspaceFixture } from './support';

/**
 * The sandboxed level: strict on gVisor (runsc). What is the same as strict is asserted as at
 * strict; what gVisor does differently is asserted as it is (and said in the README):
 * the box's own kernel, limits that stop the whole box, exec sessions outside the seccomp
 * profile. Needs the engine's runsc runtime: the private test engine registers it.
 */
describe('the sandboxed level on gVisor (real engine, runsc)', function () {
  this.timeout(180_000);
  const fixture = workspaceFixture();
  const folders: string[] = [];
  after(() => folders.forEach(removeFolder));

  before(async function () {
    const info = (await fixture.connection.docker.info()) as { Runtimes?: Record<string, unknown> };
    // Not a skip: an engine without runsc cannot test this level, and says how to fix it.
    assert.ok(
      Object.keys(info.Runtimes ?? {}).includes(gvisorRuntime),
      'the test engine has no runsc runtime: install runsc (apt-get install runsc) and restart the private engine (node scripts/engine.mjs stop)',
    );
  });

  async function create(
    name: string,
    options: { resources?: Record<string, string>; mount?: string; level?: string } = {},
  ): Promise<{ name: string; folder: string; containerId: string }> {
    // Owned by uid 1000, as a real user's project is (the box runs as the folder's owner).
    const folder = makeFolder('aicli-gv-', { readme: '# test project\n', owner: 'user' });
    folders.push(folder);
    const { workspace } = await fixture.service.create({
      folder,
      name,
      level: options.level ?? 'sandboxed',
      resources: options.resources,
      mount: options.mount,
    });
    assert.equal(workspace.state, 'running');
    return { name: workspace.name, folder, containerId: workspace.containerId };
  }

  it("runs on gVisor's kernel as strict's unprivileged user, read-only root, no capabilities; strict on the same engine runs on the host's", async () => {
    const box = await create(`gv-${process.pid}`);
    const info = await fixture.service.inspect(box.name);
    assert.equal(info.HostConfig.Runtime, 'runsc');
    assert.equal(info.Config.Labels?.[labels.runtime], 'runsc');
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(info.HostConfig.CapAdd ?? [], []);
    const kernel = (await execIn(fixture.service, box.name, ['uname', '-r'])).stdout.trim();
    assert.notEqual(kernel, release(), 'not the host kernel');
    assert.equal(kernel, '4.4.0', "gVisor's kernel says 4.4.0");
    const status = (await execIn(fixture.service, box.name, ['cat', '/proc/self/status'])).stdout;
    assert.match(status, /CapEff:\s*0+\n/);
    assert.equal((await execIn(fixture.service, box.name, ['id', '-u'])).stdout.trim(), String(folderUser.uid));
    const root = await execIn(fixture.service, box.name, ['touch', '/should-fail']);
    assert.notEqual(root.code, 0);
    assert.equal((await execIn(fixture.service, box.name, ['touch', '/tmp/works'])).code, 0);
    const code = await execIn(fixture.service, box.name, ['sh', '-c', 'echo out; echo err >&2; exit 42']);
    assert.deepEqual(code, { code: 42, stdout: 'out\n', stderr: 'err\n' });

    const strict = await create(`gv-strict-${process.pid}`, { level: 'strict' });
    assert.equal((await execIn(fixture.service, strict.name, ['uname', '-r'])).stdout.trim(), release(), 'positive control: strict shares the host kernel');
    assert.equal((await fixture.service.inspect(strict.name)).HostConfig.Runtime, 'runc');
  });

  it('refuses what would reach past the box (mount, namespaces, chroot); exec sessions are outside the seccomp profile, as the README says', async () => {
    const box = await create(`gv-calls-${process.pid}`);
    for (const [command, what] of [
      [['mount', '-t', 'tmpfs', 'x', '/tmp'], 'mount'],
      [['unshare', '-n', 'true'], 'a network namespace'],
      [['chroot', '/', 'true'], 'chroot'],
    ] as const) {
      const refused = await execIn(fixture.service, box.name, [...command]);
      assert.notEqual(refused.code, 0, `${what} must be refused`);
      assert.match(refused.stderr, /not permitted|permission denied/i, what);
    }
    // The difference: strict's profile denies mknod to a session; gVisor applies the profile to
    // the box's own processes only and serves a session's FIFO itself, inside its kernel.
    const fifo = await execIn(fixture.service, box.name, ['mkfifo', '/tmp/fifo']);
    assert.equal(fifo.code, 0, 'a session may make a FIFO in the sandbox');
    const strict = await create(`gv-calls-strict-${process.pid}`, { level: 'strict' });
    assert.match((await execIn(fixture.service, strict.name, ['mkfifo', '/tmp/fifo'])).stderr, /Operation not permitted/, 'strict: the profile refuses it');
  });

  it("limits: the engine's include gVisor's own kernel; the box's processes are refused a fork at their limit, and memory over the limit stops the whole box (oom event)", async () => {
    const box = await create(`gv-limits-${process.pid}`, { resources: { memory: '64m', pidsLimit: '20' } });
    const info = await fixture.service.inspect(box.name);
    const expected = gvisorLimits(20, 64 * 2 ** 20);
    assert.equal(info.HostConfig.PidsLimit, expected.pidsLimit);
    assert.equal(info.HostConfig.Memory, expected.memoryBytes);
    assert.deepEqual(info.HostConfig.Ulimits, [{ Name: 'nproc', Soft: 20, Hard: 20 }]);

    // Processes: 60 sleepers with room for 20; the shell is refused and the box keeps running.
    const bomb = await execIn(fixture.service, box.name, ['sh', '-c', 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done']);
    assert.match(bomb.stderr, /can't fork|Resource temporarily unavailable/i);
    const afterBomb = await fixture.service.inspect(box.name);
    assert.equal(afterBomb.State.Status, 'running');
    assert.equal(afterBomb.RestartCount, 0, 'the box did not die');
    const sample = await statsOnce(fixture.connection, box.containerId);
    assert.ok(sample && sample.pids <= expected.pidsLimit, `host pids ${sample?.pids} within ${expected.pidsLimit}`);
    assert.equal((await fixture.service.lifecycle(box.name, 'restart')).state, 'running');

    // Memory: a 96 MiB hog in a 64 MiB box stops the box (gVisor's kernel is in the same cgroup).
    const engine = new Engine(() => targetFor());
    engine.start();
    try {
      await engine.connection();
      const oom = waitFor<DockerEvent>('the oom event', 20_000, (resolve) =>
        engine.onEvent((event) => {
          if (event.Action === 'oom' && event.Actor.ID === box.containerId) resolve(event);
        }),
      );
      const hog = await execIn(fixture.service, box.name, ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=96M', 'count=1']).catch((err: Error) => err);
      await oom;
      // Either the session saw its box go (the service watches a gVisor box's end) or dd was killed.
      if (hog instanceof Error) assert.match(hog.message, /stopped while the command ran/);
      else assert.notEqual(hog.code, 0);
    } finally {
      engine.dispose();
    }
  });

  it('stats stream and the monitor see the box; a session in a box that dies ends instead of hanging', async () => {
    const box = await create(`gv-stats-${process.pid}`);
    const sample = await statsOnce(fixture.connection, box.containerId);
    assert.ok(sample, 'a stats sample');
    // gVisor's own kernel counts: tens of host pids and megabytes at rest.
    assert.ok(sample.memoryUsedBytes > 2 ** 20 && sample.pids > 2, JSON.stringify(sample));
    // The engine never ends an exec's stream when a gVisor box dies: the service watches the box.
    const started = Date.now();
    const running = execIn(fixture.service, box.name, ['sleep', '60']).then(
      (result) => `exit ${result.code}`,
      (err: Error) => err.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await fixture.connection.docker.getContainer(box.containerId).kill();
    const ended = await running;
    console.log(`      the session ended ${Date.now() - started} ms after it began (box killed at 1 s): ${ended}`);
    assert.match(ended, /stopped while the command ran|exit 137/);
    assert.ok(Date.now() - started < 15_000, 'the session ended with its box');
  });

  it('the project: review keeps the uid-1000 folder unwritten; bind writes it as its owner; remove leaves nothing', async () => {
    const review = await create(`gv-review-${process.pid}`);
    const edited = await execIn(fixture.service, review.name, ['sh', '-c', 'echo changed > /workspace/README.md && echo new > /workspace/new.txt']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal(readFileSync(join(review.folder, 'README.md'), 'utf8'), '# test project\n', 'the folder is not written before apply');
    const bind = await create(`gv-bind-${process.pid}`, { mount: 'bind' });
    const wrote = await execIn(fixture.service, bind.name, ['sh', '-c', 'echo from-box > /workspace/made.txt']);
    assert.equal(wrote.code, 0, wrote.stderr);
    const made = statSync(join(bind.folder, 'made.txt'));
    assert.deepEqual([made.uid, made.gid], [folderUser.uid, folderUser.gid]);
    writeFileSync(join(bind.folder, 'host.txt'), 'from host\n');
    assert.equal((await execIn(fixture.service, bind.name, ['cat', '/workspace/host.txt'])).stdout, 'from host\n');

    for (const name of [review.name, bind.name]) {
      const id = (await fixture.service.find(name)).id;
      await fixture.service.remove(name);
      const filters = JSON.stringify({ label: [`${labels.id}=${id}`, ...Object.entries(testLabel).map(([k, v]) => `${k}=${v}`)] });
      assert.equal((await fixture.connection.docker.listContainers({ all: true, filters })).length, 0);
      assert.equal((await fixture.connection.docker.listNetworks({ filters })).length, 0);
      assert.equal(((await fixture.connection.docker.listVolumes({ filters })).Volumes ?? []).length, 0);
    }
  });
});
