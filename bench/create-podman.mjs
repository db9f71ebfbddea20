// bench/create-podman: WorkspaceService.create() of a `strict` workspace with the folder bound
// on our private Podman service (scripts/podman.mjs), until it returns with the box running, vs
// raw dockerode making the same engine writes there in the same run, alternating the two: the
// gateway's outside network, the gateway (its files in one putArchive), its start, then the box
// in the gateway's network namespace with the seccomp profile as a file (src/workspace/create.ts
// for a shared box network). Raw skips the reads ours makes (GET /info, image inspects, name
// check, network list) and computes the gateway's files before its clock starts: the ratio is our
// client's overhead on Podman, as bench/create's is on dockerd. A warm-up pair is compared field
// by field. Everything is labelled aicli.bench.script=create-podman and swept at the end.
//
//   node bench/create-podman.mjs [--iterations 11] [--warmup 1] [--max-load 1.5] [--no-compile]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPodman, stopPodman } from '../scripts/podman.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '11' },
    warmup: { type: 'string', default: '1' },
    'max-load': { type: 'string', default: '1.5' },
    'no-compile': { type: 'boolean', default: false },
  },
});
const N = Number(args.iterations);
const WARMUP = Number(args.warmup);
const MAX_LOAD = Number(args['max-load']);
const IMAGE = 'aicli/base:latest';
const LEVEL = 'strict';
const benchLabels = { 'aicli.bench': 'true', 'aicli.bench.script': 'create-podman' };

if (!args['no-compile']) execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const out = (...p) => join(root, 'out', 'src', ...p);
const Docker = require(join(root, 'node_modules', 'dockerode'));
const { EngineConnection } = require(out('engine', 'connection.js'));
const { defaultEngineSettings, resolveEngineTarget } = require(out('engine', 'target.js'));
const { defaultPortPolicy } = require(out('isolation', 'ports.js'));
const { isolationPlan } = require(out('isolation', 'levels.js'));
const { parseResources } = require(out('isolation', 'resources.js'));
const { parseAllowedHosts } = require(out('isolation', 'egress.js'));
const { workspaceUserFor } = require(out('isolation', 'folderOwner.js'));
const { defaultProtectedPaths, protectedMounts } = require(out('isolation', 'projectMount.js'));
const { workspacePool } = require(out('isolation', 'subnets.js'));
const { sharedGatewayFiles } = require(out('isolation', 'sharedGatewayConfig.js'));
const { gatewayContainerOptions, egressNetworkNameFor } = require(out('workspace', 'gateway.js'));
const { ensureGatewayImage } = require(out('workspace', 'gatewayImage.js'));
const { engineHostAddresses } = require(out('workspace', 'hostAddresses.js'));
const { packFiles } = require(out('workspace', 'pack.js'));
const { seccompProfilesAsFiles } = require(out('workspace', 'seccompFiles.js'));
const { stopSignalFor } = require(out('workspace', 'stopSignal.js'));
const { labels: wsLabels, containerNameFor, newWorkspaceId, defaultWorkspaceName } = require(out('workspace', 'model.js'));
const { WorkspaceService } = require(out('workspace', 'service.js'));

const podman = await startPodman({ log: () => {} });
const target = resolveEngineTarget({ ...defaultEngineSettings, host: podman.host }, process.env, homedir());
const connection = await EngineConnection.connect(target);
const raw = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });
const admin = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });

const folders = new Set();
function freshFolder() {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), 'acb-podman-')));
  folders.add(folder);
  return folder;
}
async function sweep() {
  const filters = JSON.stringify({ label: ['aicli.bench.script=create-podman'] });
  // Boxes first: Podman keeps a gateway whose namespace a box still uses.
  const containers = await admin.listContainers({ all: true, filters });
  const boxesFirst = [...containers].sort((a, b) => Number(a.Labels[wsLabels.managed] === 'gateway') - Number(b.Labels[wsLabels.managed] === 'gateway'));
  for (const c of boxesFirst)
    await admin
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  for (const n of await admin.listNetworks({ filters }))
    await admin
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}

// What both sides need, computed once (not timed).
await ensureGatewayImage(connection);
const info = await admin.info();
const features = { seccomp: true, apparmor: false, selinux: false };
const resources = parseResources({}, info.NCPU);
const imageConfig = (await admin.getImage(IMAGE).inspect()).Config;
const hostAddresses = await engineHostAddresses(connection);
const policy = {
  defaultImage: IMAGE,
  defaultLevel: LEVEL,
  resources: {},
  ports: defaultPortPolicy,
  mountEngineSocket: false,
  home: homedir(),
  projectMount: 'bind',
  labels: benchLabels,
};
const service = new WorkspaceService(
  async () => connection,
  () => policy,
);

async function runOurs() {
  const folder = freshFolder();
  const started = performance.now();
  const { workspace } = await service.create({ folder, level: LEVEL, image: IMAGE });
  const total = performance.now() - started;
  if (workspace.state !== 'running') throw new Error(`our workspace is ${workspace.state}`);
  const shape = await shapeOf(workspace.containerId);
  await service.remove(workspace.id);
  return { total, shape };
}

let subnet = 0;
function rawRequest() {
  const folder = freshFolder();
  const id = newWorkspaceId(folder);
  const outside = `172.30.${200 + (subnet++ % 40)}.0/24`;
  const labels = {
    ...benchLabels,
    [wsLabels.managed]: 'true',
    [wsLabels.id]: id,
    [wsLabels.name]: defaultWorkspaceName(folder),
    [wsLabels.level]: LEVEL,
    [wsLabels.folder]: folder,
    [wsLabels.egress]: 'none',
    [wsLabels.mount]: 'bind',
  };
  const plan = isolationPlan({
    level: LEVEL,
    resources,
    features,
    folder,
    networkName: 'none',
    ports: [],
    engineSocket: undefined,
    protectedMounts: protectedMounts(folder, defaultProtectedPaths).mounts,
  });
  plan.user = workspaceUserFor(folder, LEVEL, plan.user).user;
  const gatewayPlan = {
    mode: 'none',
    allow: parseAllowedHosts([]),
    insideSubnet: '',
    boxIp: '',
    gatewayIp: '',
    boxGateway: '',
    outsideGateway: outside.replace(/0\/24$/, '1'),
    refused: [...hostAddresses, workspacePool, outside],
    ports: [],
    boxNetwork: 'shared',
  };
  const files = { ...sharedGatewayFiles(gatewayPlan), 'plan.json': JSON.stringify(gatewayPlan, null, 2) };
  return { id, outside, labels, plan, archive: packFiles(Object.fromEntries(Object.entries(files).map(([file, content]) => [`aicli/${file}`, content]))) };
}

async function runRaw() {
  const r = rawRequest();
  const started = performance.now();
  const network = await raw.createNetwork({
    Name: egressNetworkNameFor(r.id),
    Driver: 'bridge',
    CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: r.outside, Gateway: r.outside.replace(/0\/24$/, '1') }] },
    Labels: r.labels,
  });
  const gateway = await raw.createContainer(
    gatewayContainerOptions({ workspaceId: r.id, labels: benchLabels, outsideNetwork: egressNetworkNameFor(r.id), portBindings: {}, exposedPorts: {} }),
  );
  await gateway.putArchive(r.archive, { path: '/etc' });
  const gatewayStart = gateway.start();
  const box = await raw.createContainer({
    StopSignal: stopSignalFor(imageConfig),
    name: containerNameFor(r.id),
    Image: IMAGE,
    Labels: { ...r.labels, [wsLabels.ports]: '[]' },
    Env: [`WORKSPACE_ID=${r.id}`, 'WORKSPACE_NAME=raw'],
    WorkingDir: '/workspace',
    User: r.plan.user,
    Tty: true,
    OpenStdin: true,
    Healthcheck: { Test: ['CMD-SHELL', 'test -d /workspace'], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 },
    HostConfig: {
      ...r.plan.hostConfig,
      SecurityOpt: seccompProfilesAsFiles(r.plan.hostConfig.SecurityOpt),
      NetworkMode: `container:${gateway.id}`,
      PortBindings: {},
    },
  });
  await gatewayStart;
  await box.start();
  const total = performance.now() - started;
  const shape = await shapeOf(box.id);
  await admin.getContainer(box.id).remove({ force: true, v: true });
  await admin.getContainer(gateway.id).remove({ force: true });
  await admin.getNetwork(network.id).remove();
  return { total, shape };
}

/** The box as the engine holds it, without what differs by run. */
async function shapeOf(id) {
  const c = await admin.getContainer(id).inspect();
  const h = c.HostConfig;
  return {
    running: c.State.Running,
    user: c.Config.User,
    networkMode: h.NetworkMode.startsWith('container:') ? 'container:<gateway>' : h.NetworkMode,
    limits: [h.Memory, h.PidsLimit, h.CpuQuota, h.ReadonlyRootfs],
    caps: [h.CapAdd, h.CapDrop],
    seccomp: (h.SecurityOpt ?? []).some((option) => /^seccomp=\//.test(option)),
  };
}

async function quiet() {
  for (let waited = 0; loadavg()[0] > MAX_LOAD && waited < 900; waited += 5) await new Promise((r) => setTimeout(r, 5000));
  return loadavg()[0];
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)] };
};

try {
  await sweep();
  for (let i = 0; i < WARMUP; i++) {
    const [ours, rawRun] = [await runOurs(), await runRaw()];
    if (JSON.stringify(ours.shape) !== JSON.stringify(rawRun.shape))
      throw new Error(`ours and raw differ: ${JSON.stringify(ours.shape)} vs ${JSON.stringify(rawRun.shape)}`);
  }
  const times = { ours: [], raw: [] };
  const loads = [];
  for (let i = 0; i < N; i++) {
    loads.push(await quiet());
    // Alternating which goes first, so neither always meets a warmer engine.
    const order = i % 2 ? ['raw', 'ours'] : ['ours', 'raw'];
    for (const side of order) times[side].push((side === 'ours' ? await runOurs() : await runRaw()).total);
  }
  const [ours, rawStats] = [stats(times.ours), stats(times.raw)];
  console.log(
    `bench/create-podman: ${N} pairs on ${info.OperatingSystem ?? 'Podman'} (${info.NCPU} CPUs), 1-min load ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
  );
  console.log(`| ours: WorkspaceService.create() at strict (folder bound) to running, median / p90 | ${ours.median.toFixed(1)} / ${ours.p90.toFixed(1)} ms |`);
  console.log(`| raw dockerode, the same engine writes, median / p90 | ${rawStats.median.toFixed(1)} / ${rawStats.p90.toFixed(1)} ms |`);
  console.log(`| ratio ours / raw (medians) | ${(ours.median / rawStats.median).toFixed(2)} |`);
} finally {
  await sweep();
  if (podman.startedByUs) await stopPodman({ log: () => {} });
}
