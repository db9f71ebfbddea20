import * as assert from 'node:assert/strict';
import { IsolationLevel, levelProfiles } from '../../src/isolation/levels';
import { Engine } from '../../src/engine/engine';
import { DockerEvent } from '../../src/engine/events';
import { targetFor } from '../support/engine';
import { waitFor } from '../support/waits';
import { execIn, workspaceFixture } from './support';

const capabilityBits: Record<string, number> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  NET_BIND_SERVICE: 10,
};

function expectedCapEff(level: IsolationLevel): bigint {
  return levelProfiles[level].capabilities.reduce((mask, cap) => mask | (1n << BigInt(capabilityBits[cap] as number)), 0n);
}

describe('isolation levels on the real engine', function () {
  this.timeout(120_000);
  const fixture = workspaceFixture();

  async function create(name: string, level: IsolationLevel, resources = {}): Promise<string> {
    const folder = fixture.folder();
    const { workspace } = await fixture.service.create({ folder, name, level, resources });
    assert.equal(workspace.state, 'running');
    return workspace.name;
  }

  for (const level of ['basic', 'standard', 'strict'] as IsolationLevel[]) {
    it(`${level}: CapEff and NoNewPrivs of the workspace's processes match the level`, async () => {
      const name = await create(`caps-${level}-${process.pid}`, level);
      const { stdout } = await execIn(fixture.service, name, ['cat', '/proc/self/status']);
      const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(stdout)?.[1]}`);
      // At strict the shell runs as an unprivileged user, so its effective set is empty.
      assert.equal(capEff, level === 'strict' ? 0n : expectedCapEff(level), `CapEff ${capEff.toString(16)}`);
      assert.match(stdout, /NoNewPrivs:\s*1/);
      assert.match(stdout, /Seccomp:\s*2/);
      const info = await fixture.service.inspect(name);
      assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
      assert.deepEqual([...(info.HostConfig.CapAdd ?? [])].sort(), [...levelProfiles[level].capabilities].sort());
      assert.equal(info.HostConfig.Privileged, false);
      assert.ok(info.HostConfig.SecurityOpt?.includes('no-new-privileges=true'));
    });
  }

  it('standard: inspect shows our seccomp profile and a syscall it denies fails with EPERM', async () => {
    const name = await create(`seccomp-${process.pid}`, 'standard');
    const info = await fixture.service.inspect(name);
    const seccomp = (info.HostConfig.SecurityOpt as string[] | undefined)?.find((option) => option.startsWith('seccomp='));
    assert.ok(seccomp, 'no seccomp option in inspect');
    assert.equal(JSON.parse(seccomp.slice('seccomp='.length)).defaultAction, 'SCMP_ACT_ERRNO');
    const denied = await execIn(fixture.service, name, ['unshare', '-U', 'true']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Operation not permitted/);
    const allowed = await execIn(fixture.service, name, ['linux32', 'true']);
    assert.equal(allowed.code, 0, 'personality() is allowed at standard');
  });

  it('strict: tighter seccomp, read-only root, writable /tmp, unprivileged user', async () => {
    const name = await create(`strict-${process.pid}`, 'strict');
    const personality = await execIn(fixture.service, name, ['linux32', 'true']);
    assert.notEqual(personality.code, 0);
    assert.match(personality.stderr, /Operation not permitted/);
    const root = await execIn(fixture.service, name, ['touch', '/should-fail']);
    assert.notEqual(root.code, 0);
    assert.match(root.stderr, /Read-only file system/);
    assert.equal((await execIn(fixture.service, name, ['touch', '/tmp/works'])).code, 0);
    assert.notEqual((await execIn(fixture.service, name, ['id', '-u'])).stdout.trim(), '0');
    const info = await fixture.service.inspect(name);
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
  });

  it('memory: a process allocating past the limit is OOM-killed (exit 137, oom event, cgroup counter, inspect OOMKilled)', async () => {
    const name = await create(`oom-${process.pid}`, 'standard', { memory: '32m' });
    const workspace = await fixture.service.find(name);
    const info = await fixture.service.inspect(name);
    assert.equal(info.HostConfig.Memory, 32 * 1024 * 1024);
    assert.equal(info.HostConfig.MemorySwap, 32 * 1024 * 1024, 'no swap beyond the memory limit');
    const engine = new Engine(() => targetFor());
    engine.start();
    try {
      await engine.connection();
      const oomEvent = waitFor<DockerEvent>('the oom event', 10_000, (resolve) =>
        engine.onEvent((event) => {
          if (event.Action === 'oom' && event.Actor.ID === workspace.containerId) resolve(event);
        }),
      );
      const hog = await execIn(fixture.service, name, ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
      assert.equal(hog.code, 137, `the hog should be SIGKILLed, got ${hog.code}: ${hog.stderr}`);
      await oomEvent;
    } finally {
      engine.dispose();
    }
    // cgroup v1 counts kills in memory.oom_control, v2 in memory.events.
    const counter = await execIn(fixture.service, name, [
      'sh',
      '-c',
      'cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || cat /sys/fs/cgroup/memory.events',
    ]);
    assert.match(counter.stdout, /oom_kill [1-9]/);
    // The main shell survives (the kernel picked the hog) and the workspace keeps running.
    assert.equal((await fixture.service.find(name)).state, 'running');
    // Docker 20.10 records the kill in State.OOMKilled when the container next exits.
    await fixture.service.lifecycle(name, 'stop');
    assert.equal((await fixture.service.inspect(name)).State.OOMKilled, true);
  });

  it('pids: a fork bomb cannot exceed the limit and the workspace stays manageable', async () => {
    const name = await create(`pids-${process.pid}`, 'standard', { pidsLimit: 50 });
    const bomb = await execIn(fixture.service, name, ['sh', '-c', 'i=0; while [ $i -lt 200 ]; do sleep 60 & i=$((i+1)); done; echo spawned']);
    assert.match(bomb.stderr, /can't fork|Resource temporarily unavailable/i);
    const workspace = await fixture.service.find(name);
    const top = await fixture.connection.docker.getContainer(workspace.containerId).top();
    assert.ok(top.Processes.length <= 50, `${top.Processes.length} processes with a limit of 50`);
    const started = Date.now();
    const stopped = await fixture.service.lifecycle(name, 'stop');
    assert.equal(stopped.state, 'exited');
    console.log(`      ${top.Processes.length} processes at the limit; stop took ${Date.now() - started} ms`);
    assert.ok(Date.now() - started < 15_000);
  });

  it('cpu: a busy loop stays within the quota (+20 % tolerance)', async () => {
    const name = await create(`cpu-${process.pid}`, 'standard', { cpus: '0.5' });
    await execIn(fixture.service, name, ['sh', '-c', '(while :; do :; done) >/dev/null 2>&1 &']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const workspace = await fixture.service.find(name);
    const stats = (await fixture.connection.docker.getContainer(workspace.containerId).stats({ stream: false })) as unknown as {
      read: string;
      preread: string;
      cpu_stats: { cpu_usage: { total_usage: number } };
      precpu_stats: { cpu_usage: { total_usage: number } };
    };
    const wallNs = (Date.parse(stats.read) - Date.parse(stats.preread)) * 1e6;
    const cores = (stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage) / wallNs;
    console.log(`      busy loop used ${cores.toFixed(3)} cores with a quota of 0.5`);
    // The quota is the ceiling under any load; the floor only proves the loop ran (a busy
    // 2-core machine may not give it its whole quota).
    assert.ok(cores <= 0.5 * 1.2, `used ${cores} cores`);
    assert.ok(cores >= 0.1, `the loop should be running, used ${cores}`);
  });
});
