// bench/engines: creating a workspace on a remote engine (tcp:// + TLS, a throwaway dockerd in
// its own network namespace behind a veth pair) through our WorkspaceService, against the
// docker CLI doing the same steps with the same DOCKER_HOST in the same run: network create,
// volume create, container create with the limits, copy the project in, start.
//   node bench/engines.mjs [rounds=10]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildBaseImage, ensureEngine, startThrowawayEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.argv[2] ?? 10);
const out = (path) => require(join(root, 'out', path));

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
await ensureEngine({ log: () => {} });
const { freeTestSubnet, makeTlsMaterial, plugNamespace, removeTlsMaterial } = out('test/support/remoteEngine.js');
const { EngineSet, parseEngineEntries } = out('src/engine/engines.js');
const { WorkspaceService } = out('src/workspace/service.js');
const { defaultPortPolicy } = out('src/isolation/ports.js');
const { resolveEngineTarget, defaultEngineSettings } = out('src/engine/target.js');

const addresses = freeTestSubnet();
const tls = makeTlsMaterial(addresses.engineAddress);
const remote = await startThrowawayEngine(`bench-${process.pid}`, {
  log: () => {},
  extraArgs: [
    '-H',
    'tcp://0.0.0.0:2376',
    '--tlsverify',
    '--tlscacert',
    join(tls.server, 'ca.pem'),
    '--tlscert',
    join(tls.server, 'server.pem'),
    '--tlskey',
    join(tls.server, 'server-key.pem'),
  ],
});
const plug = plugNamespace(remote.pid(), addresses);
const folder = mkdtempSync(join(tmpdir(), 'aicli-engbench-'));
for (let i = 0; i < 20; i++) writeFileSync(join(folder, `file${i}.txt`), `${'x'.repeat(4096)}\n`);
const host = `tcp://${addresses.engineAddress}:2376`;
const cliEnv = { ...process.env, DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.client };
const docker = (...args) => execFileSync('docker', args, { env: cliEnv, encoding: 'utf8' }).trim();
const { entries } = parseEngineEntries([{ name: 'remote', host, certPath: tls.client }]);
const engines = new EngineSet(
  () => resolveEngineTarget(defaultEngineSettings, process.env, homedir()),
  () => entries,
  () => 30_000,
);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  await buildBaseImage(remote.host, { log: () => {} });
  engines.start();
  const service = new WorkspaceService(
    () => engines.get('remote').connection(),
    () => ({
      defaultImage: 'aicli/base:latest',
      defaultLevel: 'standard',
      resources: {},
      ports: defaultPortPolicy,
      mountEngineSocket: false,
      home: homedir(),
      labels: { 'aicli.bench': 'engines' },
    }),
  );
  await engines.get('remote').connection();

  async function ours(round) {
    const started = performance.now();
    const { workspace } = await service.create({ folder, name: `bench-ours-${round}` });
    const ms = performance.now() - started;
    await service.remove(workspace.containerId);
    return ms;
  }

  function cli(round) {
    const name = `bench-cli-${round}`;
    const started = performance.now();
    docker('network', 'create', '--label', 'aicli.bench=engines', name);
    docker('volume', 'create', '--label', 'aicli.bench=engines', name);
    const id = docker(
      'create',
      '--name',
      name,
      '--label',
      'aicli.bench=engines',
      '--network',
      name,
      '--mount',
      `type=volume,source=${name},target=/workspace`,
      '--cpus',
      '1',
      '--memory',
      '512m',
      '--memory-swap',
      '512m',
      '--pids-limit',
      '100',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--init',
      '-t',
      '-i',
      '-w',
      '/workspace',
      'aicli/base:latest',
    );
    docker('cp', `${folder}/.`, `${id}:/workspace`);
    docker('start', id);
    const ms = performance.now() - started;
    docker('rm', '-f', '-v', id);
    docker('network', 'rm', name);
    docker('volume', 'rm', name);
    return ms;
  }

  await ours('warm');
  cli('warm');
  const results = { ours: [], cli: [] };
  for (let round = 0; round < rounds; round++) {
    // ABBA, so drift on the machine hits both sides alike.
    if (round % 2 === 0) {
      results.ours.push(await ours(round));
      results.cli.push(cli(round));
    } else {
      results.cli.push(cli(round));
      results.ours.push(await ours(round));
    }
  }
  const ms = (value) => `${value.toFixed(0)} ms`;
  console.log(`create to running on ${host} (TLS, own netns), ${rounds} rounds, project of 20 files copied into a volume:`);
  console.log(
    `  ours (WorkspaceService.create)                       median ${ms(median(results.ours))} (min ${ms(Math.min(...results.ours))}, max ${ms(Math.max(...results.ours))})`,
  );
  console.log(
    `  docker CLI (network, volume, create, cp, start)      median ${ms(median(results.cli))} (min ${ms(Math.min(...results.cli))}, max ${ms(Math.max(...results.cli))})`,
  );
  console.log(`  ratio ours / CLI                                     ${(median(results.ours) / median(results.cli)).toFixed(2)}x`);
} finally {
  engines.dispose();
  plug.unplug();
  await remote.stop();
  rmSync(join(remote.dataRoot, '..'), { recursive: true, force: true });
  rmSync(remote.runDir, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
  removeTlsMaterial(tls);
}
