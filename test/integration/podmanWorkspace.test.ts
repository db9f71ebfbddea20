// A strict workspace on Podman (our private podman system service), made and used through the CLI
// as a user would: its limits and walls in the engine's inspect and from inside the box, the
// project folder (owned by uid 1000) written as its owner, egress refused until allowed, stats,
// stop and start, and a remove that leaves nothing. Traffic goes only to the host's own
// addresses and a fake-internet namespace this test makes.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineConnection } from '../../src/engine/connection';
import { openInteractiveExec } from '../../src/engine/interactiveExec';
import { LogFollower } from '../../src/engine/logs';
import { statsOnce } from '../../src/monitor/statsOnce';
import { aicli } from '../support/cli';
import { connect, connectedEngine } from '../support/engine';
import { createFakeInternet, FakeInternet, hostAddresses, Listener, startHostListener } from '../support/fakeInternet';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { engineObjectCounts, startPodmanEngine, stopPodmanEngine } from '../support/podmanEngine';
import { poll } from '../support/waits';

describe('A strict workspace on Podman (the box in its gateway namespace, real)', function () {
  this.timeout(240_000);
  const name = `pod-strict-${process.pid}`;
  const port = 18_651;
  let host: string;
  let connection: EngineConnection;
  let folder: string;
  let internet: FakeInternet;
  let hostListener: Listener;
  let boxId = '';

  before(async () => {
    host = await startPodmanEngine();
    connection = await connect(host);
    folder = makeFolder('aicli-podws-', { readme: '# p\n', owner: 'user' });
    internet = createFakeInternet(process.pid + 31);
    await internet.listen(port, 'fake-internet');
    hostListener = await startHostListener(port, 'host-service');
  });
  after(async () => {
    await aicli('rm', '--host', host, name, '--force');
    hostListener?.stop();
    internet?.remove();
    removeFolder(folder);
    await stopPodmanEngine();
  });

  const run = async (...command: string[]): Promise<string> => {
    const result = await aicli('exec', '--host', host, name, '--', ...command);
    return `${result.stdout}${result.stderr}`.trim();
  };
  /** What a connect from the box prints: the greeting, or nothing when refused. */
  const reach = async (address: string): Promise<string> =>
    (await aicli('exec', '--host', host, name, '--', 'sh', '-c', `nc -w 2 ${address} ${port} </dev/null 2>/dev/null; true`)).stdout.trim();
  const counts = (): Promise<string> => engineObjectCounts(connection);
  let countsBefore = '';

  it('creates it at strict with the folder bound; the engine holds its limits, its seccomp profile file and the gateway namespace', async () => {
    countsBefore = await counts();
    const created = await aicli(
      'create',
      '--host',
      host,
      '--folder',
      folder,
      '--name',
      name,
      '--level',
      'strict',
      '--mount',
      'bind',
      '--memory',
      '256m',
      '--pids',
      '64',
      '--cpus',
      '0.5',
    );
    assert.equal(created.code, 0, created.stderr);
    const [row] = await connection.docker.listContainers({ filters: JSON.stringify({ label: [`aicli.workspace.name=${name}`] }) });
    assert.ok(row, 'no workspace container');
    boxId = row.Id;
    const info = await connection.docker.getContainer(boxId).inspect();
    assert.equal(info.HostConfig.Memory, 256 * 2 ** 20);
    assert.equal(info.HostConfig.PidsLimit, 64);
    assert.equal(info.HostConfig.CpuQuota, 50_000);
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.equal(info.Config.User, '1000:1000');
    const [gateway] = await connection.docker.listContainers({
      filters: JSON.stringify({ label: ['aicli.managed=gateway', `aicli.gateway.of=${info.Config.Labels['aicli.workspace.id']}`] }),
    });
    assert.ok(gateway, 'no running gateway');
    assert.equal(info.HostConfig.NetworkMode, `container:${gateway.Id}`);
    const seccomp = (info.HostConfig.SecurityOpt ?? []).find((option: string) => option.startsWith('seccomp='))?.slice('seccomp='.length) ?? '';
    assert.ok(existsSync(seccomp), `the seccomp option names no file on this host: ${seccomp}`);
    assert.ok(JSON.parse(readFileSync(seccomp, 'utf8')).syscalls.length > 0);
  });

  it('in the box: uid 1000 with no capability at all (none ambient), under a seccomp filter that refuses a new user namespace', async () => {
    assert.equal(await run('id', '-u'), '1000');
    const status = await run('sh', '-c', 'grep -E "^(CapPrm|CapEff|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status');
    for (const field of ['CapPrm', 'CapEff', 'CapAmb']) assert.match(status, new RegExp(`^${field}:\\s+0000000000000000$`, 'm'), status);
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(status, /^Seccomp:\s+2$/m);
    assert.match(await run('unshare', '-U', 'true'), /not permitted/i);
  });

  it('holds its pids, memory and CPU limits: a fork past 64 processes fails, 300 MB in 256 MB is killed, a busy loop stays within 0.5 CPU', async () => {
    const forks = await run('sh', '-c', 'for i in $(seq 80); do sleep 2 & done 2>&1 | head -1');
    assert.match(forks, /can't fork|Resource temporarily unavailable/i, forks);
    // The sleeps end on their own; until then the box has no pid for another command.
    await poll('the sleeps to end', 20_000, async () => ((await run('sh', '-c', 'ps | grep -c "[s]leep 2"; true')) === '0' ? true : undefined), 500);
    const hog = await aicli('exec', '--host', host, name, '--', 'sh', '-c', 'head -c 300m /dev/zero | tail > /dev/null');
    assert.equal(hog.code, 137, `the 300 MB reader was not killed: ${hog.code} ${hog.stderr}`);
    assert.equal(await run('echo', 'still-here'), 'still-here', 'the box went with the killed process');
    // CPU: a busy loop over 3 s of the engine's own clock stays within the 0.5 quota.
    await run('sh', '-c', '(while :; do :; done) >/dev/null 2>&1 &');
    const usage = async (): Promise<{ at: number; ns: number }> => {
      const sample = (await connection.docker.getContainer(boxId).stats({ stream: false })) as unknown as {
        read: string;
        cpu_stats: { cpu_usage: { total_usage: number } };
      };
      return { at: Date.parse(sample.read), ns: sample.cpu_stats.cpu_usage.total_usage };
    };
    const first = await usage();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const second = await usage();
    await run('sh', '-c', 'pkill -f "while :" ; true');
    const cores = (second.ns - first.ns) / ((second.at - first.at) * 1e6);
    console.log(`      busy loop used ${cores.toFixed(3)} cores with a quota of 0.5`);
    assert.ok(cores <= 0.5 * 1.2 && cores >= 0.1, `used ${cores} cores`);
  });

  it('opens a terminal session (TTY exec): prompt, output, resize and the exit code', async () => {
    const session = openInteractiveExec(connection, boxId, { cmd: ['/bin/sh'], rows: 24, cols: 80 });
    let text = '';
    session.onData((chunk) => (text += chunk.toString('utf8')));
    const shown = (pattern: RegExp): Promise<void> =>
      poll(`${pattern} in the terminal`, 10_000, async () => (pattern.test(text) ? true : undefined)).then(() => undefined);
    try {
      session.write('echo hello-$((6*7)); pwd; id -u\r');
      await shown(/hello-42\r\n\/workspace\r\n1000\r\n/);
      session.resize(31, 97);
      await new Promise((resolve) => setTimeout(resolve, 200));
      session.write('stty size\r');
      await shown(/\n31 97\r\n/);
      session.write('exit 3\r');
      assert.deepEqual(await session.exited, { code: 3 });
    } finally {
      await session.close();
    }
  });

  it("follows its logs: what the box's main process prints reaches the follower", async () => {
    const engine = await connectedEngine(host);
    const lines: string[] = [];
    const follower = new LogFollower(engine, boxId, { tail: 100, onLines: (got) => lines.push(...got.map((line) => line.text)), onEnd: () => undefined });
    try {
      follower.start();
      // The box's main process is its shell on the TTY (/proc/1/fd/1): what it prints is the workspace's log.
      assert.equal(await run('sh', '-c', 'echo podman-log-line > /proc/1/fd/1 && echo printed'), 'printed');
      await poll('the line in the follower', 15_000, async () => (lines.some((line) => line.includes('podman-log-line')) ? true : undefined));
    } finally {
      follower.dispose();
      engine.dispose();
    }
  });

  it("writes the folder as the folder's owner", async () => {
    assert.equal(await run('sh', '-c', 'echo from-the-box > /workspace/made-in-box.txt && echo written'), 'written');
    const made = statSync(join(folder, 'made-in-box.txt'));
    assert.equal(made.uid, folderUser.uid);
    assert.equal(readFileSync(join(folder, 'made-in-box.txt'), 'utf8'), 'from-the-box\n');
  });

  it('reaches neither the host nor, until allowed, the outside; allowed, the outside answers', async () => {
    for (const address of hostAddresses()) assert.equal(await reach(address), '', `the box reached the host at ${address}`);
    assert.equal(await reach(internet.address), '', 'strict (egress none) let the box out');
    const allowed = await aicli('allow', '--host', host, name, `${internet.address}/32`);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(await reach(internet.address), 'fake-internet');
    for (const address of hostAddresses()) assert.equal(await reach(address), '', `allowing the outside let the box reach the host at ${address}`);
  });

  it('gives stats with its memory limit, stops and starts with its network back, and is removed with nothing left', async () => {
    const sample = await statsOnce(connection, boxId, 15_000); // Podman streams a sample every 5 s
    assert.ok(sample && sample.memoryLimitBytes === 256 * 2 ** 20 && sample.pids >= 1, JSON.stringify(sample));
    assert.equal((await aicli('stop', '--host', host, name)).code, 0);
    assert.equal((await connection.docker.getContainer(boxId).inspect()).State.Running, false);
    const started = await aicli('start', '--host', host, name);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(await reach(internet.address), 'fake-internet', 'the allowed host, after a restart of the box');
    const removed = await aicli('rm', '--host', host, name);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await counts(), countsBefore);
    assert.ok(existsSync(join(folder, 'made-in-box.txt')), 'remove touched the folder');
  });
});
