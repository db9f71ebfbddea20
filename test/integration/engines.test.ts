import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EngineConnection } from '../../src/engine/connection';
import { Engine, EngineState } from '../../src/engine/engine';
import { EngineSet, parseEngineEntries } from '../../src/engine/engines';
import { EngineError } from '../../src/engine/errors';
import { LogFollower } from '../../src/engine/logs';
import { StatsSubscriptions } from '../../src/monitor/statsStream';
import { applyCleanup, planCleanup } from '../../src/workspace/cleanup';
import { WorkspaceService } from '../../src/workspace/service';
import { targetFor } from '../support/engine';
import { makeFolder, makeProjectFolder } from '../support/folders';
import { cliPath } from '../support/paths';
import {
  freeTestSubnet,
  makeTlsMaterial,
  plugNamespace,
  removeTlsMaterial,
  startSshd,
  TestSshd,
  TlsMaterialDirs,
  untilListening,
} from '../support/remoteEngine';
import { buildBaseImageOn, discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from '../support/throwawayEngine';
import { engineState, poll, waitFor } from '../support/waits';
import { testLabel, testRunId, testWorkspaceService } from './support';

function until(engine: Engine, kind: EngineState['kind'], timeoutMs: number): Promise<EngineState> {
  return engineState(engine, (state) => state.kind === kind, timeoutMs);
}

/** The container's log shows a line with `marker` and its stats stream delivers a sample, through this engine. */
async function expectLogsAndStats(engine: Engine, containerId: string, marker: string): Promise<void> {
  const lines: string[] = [];
  const follower = new LogFollower(engine, containerId, { tail: 10, onLines: (batch) => lines.push(...batch.map((line) => line.text)), onEnd: () => {} });
  follower.start();
  const stats = new StatsSubscriptions(engine);
  try {
    const pids = await waitFor<number>('a stats sample', 20_000, (resolve) => stats.onSample((sample) => resolve(sample.snapshot.pids)));
    assert.ok(pids >= 1);
    await poll(`the log line "${marker}"`, 20_000, () => lines.some((line) => line.includes(marker)));
  } finally {
    follower.dispose();
    stats.dispose();
  }
}

describe('several engines: a second dockerd over tcp:// with TLS in its own network namespace (real engines)', function () {
  this.timeout(180_000);
  let remote: ThrowawayEngine | undefined;
  let tls: TlsMaterialDirs | undefined;
  let plug: { unplug(): void } | undefined;
  let engines: EngineSet | undefined;
  let remoteHost = '';
  const addresses = freeTestSubnet();
  const folder = makeProjectFolder('aicli-remote-proj-');

  async function startRemote(): Promise<void> {
    await remote!.start();
    plug = plugNamespace(remote!.pid()!, addresses);
  }

  before(async () => {
    tls = makeTlsMaterial(addresses.engineAddress);
    const server = tls.server;
    remote = await startThrowawayEngine(`tls-${process.pid}`, {
      // 0.0.0.0 inside its own namespace: only the veth below (and its loopback) can reach it.
      extraArgs: [
        '-H',
        'tcp://0.0.0.0:2376',
        '--tlsverify',
        '--tlscacert',
        join(server, 'ca.pem'),
        '--tlscert',
        join(server, 'server.pem'),
        '--tlskey',
        join(server, 'server-key.pem'),
      ],
    });
    plug = plugNamespace(remote.pid()!, addresses);
    await buildBaseImageOn(remote.host);
    remoteHost = `tcp://${addresses.engineAddress}:2376`;
    const { entries, problems } = parseEngineEntries([{ name: 'remote', host: remoteHost, certPath: tls.client }]);
    assert.deepEqual(problems, []);
    engines = new EngineSet(
      () => targetFor(),
      () => entries,
      () => 10_000,
    );
    engines.start();
    writeFileSync(join(folder, 'data.txt'), 'from the local folder\n');
  });

  after(async () => {
    engines?.dispose();
    plug?.unplug();
    await discardThrowawayEngine(remote);
    removeTlsMaterial(tls);
    rmSync(folder, { recursive: true, force: true });
  });

  const remoteService = (): WorkspaceService => testWorkspaceService({}, () => engines!.get('remote').connection());

  it('connects to both engines, each with its own connection', async () => {
    const local = await engines!.default.connection();
    const far: EngineConnection = await engines!.get('remote').connection();
    assert.equal(far.target.host, remoteHost);
    assert.equal(far.target.spec.scheme, 'tcp');
    // Two daemons (both dockerds here share /etc/docker/key.json, hence the same ID: compare data roots).
    const root = async (connection: EngineConnection): Promise<string | undefined> => ((await connection.info()) as { DockerRootDir?: string }).DockerRootDir;
    assert.notEqual(await root(far), await root(local));
    assert.equal(await root(far), remote!.dataRoot);
  });

  it('creates a workspace on the remote engine with the project copied into a volume, then exec, logs, stats and remove', async () => {
    const service = remoteService();
    const name = `remote-${testRunId}`;
    const { workspace, notes } = await service.create({ folder, name });
    assert.ok(
      notes.some((note) => /is remote: .* copied into the volume aicli-workspace-/.test(note)),
      notes.join('\n'),
    );
    const connection = await engines!.get('remote').connection();
    const info = await connection.docker.getContainer(workspace.containerId).inspect();
    assert.deepEqual(
      info.Mounts.map((m) => `${m.Type} ${m.Destination}`),
      ['volume /workspace'],
    );

    let out = '';
    const sink = new Writable({ write: (chunk, _e, done) => ((out += chunk.toString()), done()) });
    assert.equal(
      await service.exec(name, ['sh', '-c', 'cat /workspace/data.txt; echo changed > /workspace/data.txt; echo logged > /proc/1/fd/1'], {
        stdout: sink,
        stderr: sink,
      }),
      0,
    );
    assert.equal(out, 'from the local folder\n');
    assert.equal(readFileSync(join(folder, 'data.txt'), 'utf8'), 'from the local folder\n', 'the local folder is not written');

    await expectLogsAndStats(engines!.get('remote'), workspace.containerId, 'logged');

    await service.remove(name);
    const volumes = await connection.docker.listVolumes({ filters: JSON.stringify({ label: [`aicli.test.run=${testRunId}`] }) });
    assert.deepEqual(volumes.Volumes ?? [], []);
    assert.ok(existsSync(join(folder, 'data.txt')));
  });

  it('cleanup on the remote engine removes an expired workspace with its network and project volume, never the folder', async () => {
    const service = remoteService();
    const name = `expired-${testRunId}`;
    const { workspace } = await service.create({ folder, name });
    await service.lifecycle(name, 'stop');
    const connection = await engines!.get('remote').connection();
    // Expired "now" by looking 8 days ahead instead of waiting.
    const plan = await planCleanup(connection, { maxAgeMs: 7 * 24 * 3600_000, now: Date.now() + 8 * 24 * 3600_000, labels: testLabel });
    assert.deepEqual(
      plan.workspaces.map((ws) => ws.name),
      [name],
    );
    const result = await applyCleanup(connection, plan);
    assert.deepEqual(result.failed, []);
    assert.ok(result.removed.includes(`volume aicli-workspace-${workspace.id}`), result.removed.join(', '));
    const volumes = await connection.docker.listVolumes({ filters: JSON.stringify({ name: [`aicli-workspace-${workspace.id}`] }) });
    assert.deepEqual(volumes.Volumes ?? [], []);
    assert.equal(readFileSync(join(folder, 'data.txt'), 'utf8'), 'from the local folder\n');
  });

  it('a stopped remote engine shows its error while the default engine keeps working, and recovers when restarted', async () => {
    const far = engines!.get('remote');
    await remote!.stop();
    plug?.unplug();
    const down = await until(far, 'unreachable', 30_000);
    assert.ok(down.kind === 'unreachable' && down.error.message.includes(remoteHost), down.kind === 'unreachable' ? down.error.message : down.kind);
    // The default engine answers at once meanwhile.
    const started = Date.now();
    const listed = await testWorkspaceService().list();
    assert.ok(Array.isArray(listed));
    assert.ok(Date.now() - started < 2000, `default engine took ${Date.now() - started} ms while the remote one was down`);
    assert.equal(engines!.default.state.kind, 'connected');
    await startRemote();
    await until(far, 'connected', 30_000);
  });

  it('a certificate from a CA the engine does not trust is refused with a clear TLS error', async () => {
    const { entries } = parseEngineEntries([{ name: 'foreign', host: remoteHost, certPath: tls!.foreign }]);
    const set = new EngineSet(
      () => targetFor(),
      () => entries,
      () => 5_000,
    );
    try {
      set.get('foreign').start();
      await assert.rejects(
        set.get('foreign').connection(),
        (err: unknown) => err instanceof EngineError && err.kind === 'tls' && err.message.includes(remoteHost),
      );
    } finally {
      set.dispose();
    }
  });

  it('aicli-ws engines shows each engine up or down; --engine runs commands there; tar copies changes back', async () => {
    const env = {
      ...process.env,
      AICLI_ENGINES: JSON.stringify([
        { name: 'remote', host: remoteHost, certPath: tls!.client },
        { name: 'gone', host: 'tcp://127.0.0.1:9' },
      ]),
    };
    const run = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
      promisify(execFile)(process.execPath, [cliPath, ...args], { env, encoding: 'utf8' });
    const listed = await run(['engines', '--json']).then(
      () => assert.fail('engines exited 0 with an engine down'),
      (err: { code: number; stdout: string }) => err,
    );
    assert.equal(listed.code, 1);
    const rows = JSON.parse(listed.stdout) as { name: string; state: string; version?: string; error?: string }[];
    assert.deepEqual(
      rows.map((r) => `${r.name} ${r.state}`),
      ['default up', 'remote up', 'gone down'],
    );
    assert.match(rows[2]?.error ?? '', /tcp:\/\/127\.0\.0\.1:9 is not running \(connection refused\)/);

    // With a workspace running on the default engine and none on the remote one, auto placement picks the remote one.
    const busy = await testWorkspaceService().create({ folder: makeProjectFolder(), name: `busy-${testRunId}` });
    const placed = await promisify(execFile)(
      process.execPath,
      [cliPath, '--engine', 'auto', 'create', '--folder', folder, '--name', `auto-${testRunId}`, '--label', `aicli.test.run=${testRunId}`],
      {
        env: { ...env, AICLI_ENGINES: JSON.stringify([{ name: 'remote', host: remoteHost, certPath: tls!.client }]) },
        encoding: 'utf8',
      },
    );
    assert.match(placed.stderr, /^Placing on engine remote \(least loaded: 0 running on \d+ CPUs\)/);
    await run(['--engine', 'remote', 'rm', `auto-${testRunId}`]);
    await testWorkspaceService().remove(busy.workspace.containerId);
    rmSync(busy.workspace.folder, { recursive: true, force: true });

    const name = `cli-remote-${testRunId}`;
    await run(['--engine', 'remote', 'create', '--folder', folder, '--name', name, '--label', `aicli.test.run=${testRunId}`]);
    await run(['--engine', 'remote', 'exec', name, '--', 'sh', '-c', 'echo changed > /workspace/data.txt']);
    const back = makeProjectFolder('aicli-copy-back-');
    try {
      await promisify(execFile)(
        'sh',
        ['-c', `"${process.execPath}" "${cliPath}" --engine remote exec ${name} -- tar -C /workspace -c . | tar -C "${back}" -x`],
        {
          env,
        },
      );
      assert.equal(readFileSync(join(back, 'data.txt'), 'utf8'), 'changed\n');
      assert.equal(readFileSync(join(folder, 'data.txt'), 'utf8'), 'from the local folder\n');
    } finally {
      rmSync(back, { recursive: true, force: true });
    }
    await run(['--engine', 'remote', 'rm', name]);
  });

  it("aicli-ws --engine NAME alerts reports the alerts of that engine's workspaces, not the default engine's", async () => {
    const env = { ...process.env, AICLI_ENGINES: JSON.stringify([{ name: 'remote', host: remoteHost, certPath: tls!.client }]) };
    // The same finding (privileged) on a managed container on each engine, told apart by name; never started.
    const privileged = async (connection: EngineConnection, name: string): Promise<string> => {
      const container = await connection.docker.createContainer({
        Image: 'aicli/base:latest',
        Cmd: ['sleep', '300'],
        Labels: { ...testLabel, 'aicli.managed': 'true', 'aicli.workspace.id': name, 'aicli.workspace.name': name, 'aicli.workspace.level': 'standard' },
        HostConfig: { Privileged: true },
      });
      return container.id;
    };
    const local = await engines!.default.connection();
    const far = await engines!.get('remote').connection();
    const onRemote = `priv-remote-${testRunId}`;
    const onDefault = `priv-default-${testRunId}`;
    const created = [
      { connection: far, id: await privileged(far, onRemote) },
      { connection: local, id: await privileged(local, onDefault) },
    ];
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [cliPath, '--engine', 'remote', 'alerts', '--json', '--wait', '0'], {
        env,
        encoding: 'utf8',
      });
      const report = JSON.parse(stdout) as { host: string; alerts: { workspace: string; rule: string }[] };
      assert.equal(report.host, remoteHost);
      const ours = report.alerts
        .filter((alert) => alert.workspace === onRemote || alert.workspace === onDefault)
        .map((alert) => `${alert.workspace} ${alert.rule}`);
      assert.ok(ours.includes(`${onRemote} audit.privileged`), ours.join('\n'));
      assert.deepEqual(
        ours.filter((line) => line.startsWith(onDefault)),
        [],
        "the default engine's workspace is not in the remote engine's report",
      );
    } finally {
      await Promise.all(created.map(({ connection, id }) => connection.docker.getContainer(id).remove({ force: true })));
    }
  });

  describe('over ssh:// (OpenSSH sshd in the same namespace, keys made by the test)', () => {
    let sshd: TestSshd | undefined;
    before(async () => {
      sshd = startSshd(remote!.pid()!, addresses.engineAddress, remote!.host);
      await untilListening(addresses.engineAddress, 2222);
    });
    after(() => sshd?.stop());

    const sshEngines = (entry: Record<string, unknown>): EngineSet => {
      const { entries, problems } = parseEngineEntries([{ name: 'over-ssh', ...entry }]);
      assert.deepEqual(problems, []);
      const set = new EngineSet(
        () => targetFor(),
        () => entries,
        () => 20_000,
      );
      set.get('over-ssh').start();
      return set;
    };

    /** The engine of this entry refuses to connect, with an error `check` accepts. */
    const expectRefused = async (entry: Record<string, unknown>, check: (err: EngineError) => boolean): Promise<void> => {
      const set = sshEngines(entry);
      try {
        await assert.rejects(set.get('over-ssh').connection(), (err: unknown) => err instanceof EngineError && check(err));
      } finally {
        set.dispose();
      }
    };

    it('creates, execs in, follows logs and stats of, and removes a workspace on the engine behind ssh', async () => {
      const set = sshEngines({ host: sshd!.host, sshKey: sshd!.clientKey, knownHostsFile: sshd!.knownHosts });
      try {
        const connection = await set.get('over-ssh').connection();
        assert.equal(connection.target.spec.scheme, 'ssh');
        assert.equal(((await connection.info()) as { DockerRootDir?: string }).DockerRootDir, remote!.dataRoot);
        const service = testWorkspaceService({}, () => set.get('over-ssh').connection());
        const name = `ssh-${testRunId}`;
        const t0 = Date.now();
        await service.create({ folder, name });
        console.log(`      create over ssh: ${Date.now() - t0} ms`);
        let out = '';
        const sink = new Writable({ write: (chunk, _e, done) => ((out += chunk.toString()), done()) });
        assert.equal(await service.exec(name, ['sh', '-c', 'cat /workspace/data.txt; echo over-ssh > /proc/1/fd/1'], { stdout: sink, stderr: sink }), 0);
        assert.equal(out, 'from the local folder\n');
        await expectLogsAndStats(set.get('over-ssh'), (await service.find(name)).containerId, 'over-ssh');
        await service.remove(name);
      } finally {
        set.dispose();
      }
    });

    it('an alias of the ssh config (HostName, Port, User, IdentityFile, UserKnownHostsFile) reaches the same engine; a key with a passphrase says to use ssh-agent', async () => {
      const dir = makeFolder('aicli-sshconfig-');
      const address = addresses.engineAddress;
      const alias = (identity: string): string =>
        `Host aicli-remote\n  HostName ${address}\n  Port 2222\n  User root\n  IdentityFile ${identity}\n  UserKnownHostsFile ${sshd!.knownHosts}\n`;
      writeFileSync(join(dir, 'config'), alias(sshd!.clientKey));
      const viaAlias = sshEngines({ host: 'ssh://aicli-remote', sshConfigFile: join(dir, 'config') });
      try {
        const connection = await viaAlias.get('over-ssh').connection();
        assert.equal(((await connection.info()) as { DockerRootDir?: string }).DockerRootDir, remote!.dataRoot);
      } finally {
        viaAlias.dispose();
      }
      // The doctor says where the alias really goes.
      const doctor = await promisify(execFile)(process.execPath, [cliPath, '--engine', 'over-ssh', 'doctor'], {
        env: { ...process.env, AICLI_ENGINES: JSON.stringify([{ name: 'over-ssh', host: 'ssh://aicli-remote', sshConfigFile: join(dir, 'config') }]) },
        encoding: 'utf8',
      });
      assert.match(
        doctor.stdout,
        new RegExp(`SSH\\s+root@${address.replace(/\./g, '\\.')}:2222, host key checked in ${sshd!.knownHosts.replace(/\./g, '\\.')}`),
      );
      // An unknown host key: ssh-keyscan reads no ssh config, so the fix names the real address and port.
      writeFileSync(join(dir, 'config-unknown'), alias(sshd!.clientKey).replace(sshd!.knownHosts, sshd!.emptyKnownHosts));
      await expectRefused(
        { host: 'ssh://aicli-remote', sshConfigFile: join(dir, 'config-unknown') },
        (err) =>
          /The SSH host key of ssh:\/\/aicli-remote is not in your known_hosts/.test(err.message) &&
          err.suggestion.includes(`ssh-keyscan -p 2222 ${address} >> ${sshd!.emptyKnownHosts}`),
      );
      await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', join(dir, 'locked')]);
      writeFileSync(join(dir, 'config-locked'), alias(join(dir, 'locked')));
      const agent = process.env.SSH_AUTH_SOCK;
      delete process.env.SSH_AUTH_SOCK;
      try {
        await expectRefused(
          { host: 'ssh://aicli-remote', sshConfigFile: join(dir, 'config-locked') },
          (err) =>
            err.message.includes(`The SSH key ${join(dir, 'locked')} for ssh://aicli-remote is protected by a passphrase`) && /ssh-add/.test(err.suggestion),
        );
      } finally {
        if (agent !== undefined) process.env.SSH_AUTH_SOCK = agent;
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('an unknown host key and a wrong user each give a clear error', async () => {
      await expectRefused(
        { host: sshd!.host, sshKey: sshd!.clientKey, knownHostsFile: sshd!.emptyKnownHosts },
        (err) =>
          /The SSH host key of ssh:\/\/root@198\.18\.[\d.]+:2222 is not in your known_hosts/.test(err.message) &&
          /ssh-keyscan -p 2222 198\.18\./.test(err.suggestion),
      );
      await expectRefused(
        { host: sshd!.host.replace('root@', 'nobody@'), sshKey: sshd!.clientKey, knownHostsFile: sshd!.knownHosts },
        (err) => err.kind === 'permissionDenied' && /^SSH login to ssh:\/\/nobody@198\.18\.[\d.]+:2222 failed/.test(err.message),
      );
    });
  });
});
