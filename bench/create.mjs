// bench/create: time for WorkspaceService.create() of a `standard` workspace (fresh folder,
// aicli/base:latest, default resources, egress `auto` = allowlist) until it returns with the
// container running, vs raw dockerode doing the same engine writes as createWorkspaceResources
// (the box's network and the gateway's outside network created in parallel; the gateway
// container created, connected to the box's network at its address and given its files with one
// putArchive; the box created with its static address; both started in parallel) in the same
// run, alternating the two. Raw skips the reads ours makes (GET /info, image inspects, name
// check, GET /networks) and computes the gateway's files before its clock starts: the ratio is
// our client's overhead. A warm-up pair is compared field by field to show raw makes the same
// containers and networks. Also the time of each of our create's steps (onStep) and of every
// engine request inside them, and the engine's floor (bare starts). Everything it makes is
// labelled aicli.bench=true, aicli.bench.script=create and swept at the end, on failure and on
// SIGINT/SIGTERM.
//
// Section "CLI create vs docker CLI" (--section cli, or all): `node dist/cli.js create --folder
// <fresh dir> --json` (a whole command: node start, bundle load, connection, create) against the
// docker CLI making the same workspace from the same create bodies as raw (bench/dockerCli.mjs):
// `docker network create` x2 in parallel, `docker create` (gateway), `docker network connect`,
// `docker cp -` (its files), then `docker start` (gateway) in parallel with `docker run -d` (box);
// raw dockerode in the same rotation shows what the engine work alone takes. --cli PATH (repeatable)
// times other builds of the CLI in the same rotation, e.g. the one before a change.
//
// Other sessions test on the same machine: before each ours/raw pair it waits (up to 15 min)
// until the 1-minute load is at most --max-load.
//
//   node bench/create.mjs [--iterations 15] [--warmup 2] [--max-load 1.5] [--no-compile]
//                         [--section all|service|cli] [--cli dist/cli.js]... [--docker docker]
//                         [--level standard|sandboxed]  (sandboxed: both sides on gVisor, runsc)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureEngine } from '../scripts/engine.mjs';
import { dockerContainerArgs, dockerNetworkArgs } from './dockerCli.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    'max-load': { type: 'string', default: '1.5' },
    'no-compile': { type: 'boolean', default: false },
    section: { type: 'string', default: 'all' },
    cli: { type: 'string', multiple: true, default: ['dist/cli.js'] },
    docker: { type: 'string', default: 'docker' },
    level: { type: 'string', default: 'standard' },
  },
});
if (!['all', 'service', 'cli'].includes(args.section)) throw new Error(`--section takes all, service or cli, got ${args.section}`);
const SERVICE_SECTION = args.section !== 'cli';
const CLI_SECTION = args.section !== 'service';
const N = Number(args.iterations);
const MAX_LOAD = Number(args['max-load']);
const WARMUP = Number(args.warmup);
const IMAGE = 'aicli/base:latest';
// --level sandboxed: both sides on gVisor (runsc), ours through the level, raw with the same plan.
const LEVEL = args.level;
const RUNTIME = LEVEL === 'sandboxed' ? 'runsc' : undefined;
const BENCH_LABEL = 'aicli.bench';
const runId = `${process.pid}-${Date.now().toString(36)}`;
const SCRIPT_LABEL = 'aicli.bench.script';
const benchLabels = { [BENCH_LABEL]: 'true', [SCRIPT_LABEL]: 'create', 'aicli.bench.run': runId };

if (!args['no-compile']) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
  if (CLI_SECTION) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
const out = (...p) => join(root, 'out', 'src', ...p);
const Docker = require(join(root, 'node_modules', 'dockerode'));
const { EngineConnection } = require(out('engine', 'connection.js'));
const { defaultEngineSettings, resolveEngineTarget } = require(out('engine', 'target.js'));
const { defaultPortPolicy } = require(out('isolation', 'ports.js'));
const { parseResources } = require(out('isolation', 'resources.js'));
const { isolationPlan } = require(out('isolation', 'levels.js'));
const { egressModeFor, parseAllowedHosts } = require(out('isolation', 'egress.js'));
const { gatewayFiles } = require(out('isolation', 'gatewayConfig.js'));
const { workspaceUserFor } = require(out('isolation', 'folderOwner.js'));
const { defaultProtectedPaths, protectedMounts } = require(out('isolation', 'projectMount.js'));
const { workspacePool } = require(out('isolation', 'subnets.js'));
const { stopSignalFor } = require(out('workspace', 'stopSignal.js'));
const { gatewayContainerOptions, gatewayNameFor, egressNetworkNameFor, insideAddresses, insideNetworkOptions, noIpv6 } = require(
  out('workspace', 'gateway.js'),
);
const { engineHostAddresses } = require(out('workspace', 'hostAddresses.js'));
const { packFiles } = require(out('workspace', 'pack.js'));
const { labels: wsLabels, containerNameFor, networkNameFor, newWorkspaceId, defaultWorkspaceName } = require(out('workspace', 'model.js'));
const { WorkspaceService } = require(out('workspace', 'service.js'));

// ---------------------------------------------------------------------------------------
// helpers

const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Median (mean of the middle two for an even count). */
const median = (xs) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank p90: with 15 samples, the 14th smallest. */
const p90 = (xs) => sorted(xs)[Math.max(0, Math.ceil(0.9 * xs.length) - 1)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const pad = (s, n) => String(s).padEnd(n);

/** `POST /v1.41/containers/3f…/start?` → `POST /containers/{id}/start`. */
function callKey(method, path) {
  const p = path
    .split('?')[0]
    .replace(/^\/v\d+\.\d+/, '')
    .replace(/\/containers\/(?!json|create)[^/]+/, '/containers/{id}')
    .replace(/\/networks\/(?!create)[^/]+/, '/networks/{id}')
    .replace(/\/images\/.+\/json$/, '/images/{name}/json');
  return `${method} ${p}`;
}

/**
 * Times every engine request a dockerode instance makes (docker-modem's dial), tagged with
 * `phase()` at the moment the request starts. Costs a few µs; done to ours and raw alike.
 */
function instrument(docker, sink, phase) {
  const modem = docker.modem;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const key = callKey(options.method, options.path);
    const step = phase();
    const started = performance.now();
    return dial(options, (err, data) => {
      sink.current?.push({ step, key, ms: performance.now() - started });
      callback(err, data);
    });
  };
}

// ---------------------------------------------------------------------------------------
// engine, clients, cleanup

const engine = await ensureEngine({ log: () => {} });
const target = resolveEngineTarget({ ...defaultEngineSettings }, process.env, homedir());
if (target.spec.scheme !== 'unix') throw new Error(`bench/create needs a unix-socket engine, got ${target.host}`);
const connection = await EngineConnection.connect(target);
const raw = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });
// a separate client for setup and cleanup, never timed nor instrumented
const admin = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });

const folders = new Set();
function freshFolder() {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), 'acb-create-')));
  folders.add(folder);
  return folder;
}
function dropFolder(folder) {
  rmSync(folder, { recursive: true, force: true });
  folders.delete(folder);
}

/** Removes every container and network of this bench (not other benches'), and our temp folders. */
async function sweep() {
  const filters = JSON.stringify({ label: [`${SCRIPT_LABEL}=create`] });
  let containers = 0;
  let networks = 0;
  for (const info of await admin.listContainers({ all: true, filters })) {
    await admin
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .then(
        () => containers++,
        () => undefined,
      );
  }
  for (const info of await admin.listNetworks({ filters })) {
    await admin
      .getNetwork(info.Id)
      .remove()
      .then(
        () => networks++,
        () => undefined,
      );
  }
  for (const folder of [...folders]) dropFolder(folder);
  return { containers, networks };
}

let inFlight = Promise.resolve();
let interrupted = false;
let signals = 0;
// First signal: the run loop stops before its next create and its `finally` sweeps. Second:
// sweep now and again when the create in flight ends (at most 5 s later), and exit. Third:
// exit at once (the next run's opening sweep removes what is left on the engine).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    signals++;
    interrupted = true;
    if (signals === 1) {
      console.error(`\n${signal}: finishing the create in flight, then sweeping ${SCRIPT_LABEL}=create (again to sweep now)`);
    } else if (signals === 2) {
      console.error(`${signal}: sweeping ${SCRIPT_LABEL}=create now (again to quit at once)`);
      // sweep, then once more for what the create in flight makes after that (up to 5 s)
      const settled = Promise.race([inFlight.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
      sweep()
        .then(() => settled)
        .then(() => sweep())
        .catch((err) => console.error(`sweep failed: ${err.message}`))
        .then(() => engine.stop())
        .finally(() => process.exit(130));
    } else {
      process.exit(130);
    }
  });
}

// ---------------------------------------------------------------------------------------
// what both sides need, computed once (not timed)

const info = await admin.info();
const securityOptions = (info.SecurityOptions ?? []).join(' ');
const features = {
  seccomp: /name=seccomp/.test(securityOptions),
  apparmor: /name=apparmor/.test(securityOptions),
  selinux: /name=selinux/.test(securityOptions),
};
const resources = parseResources({}, info.NCPU);
// The I/O caps go on the engine's data device, found (and cached) by the probe our create runs;
// raw gets the same rules, the device found before its clock starts.
const { engineIoDevice, ioCapsHostConfig } = require(out('workspace', 'ioDevice.js'));
await require(out('workspace', 'gatewayImage.js')).ensureGatewayImage(connection);
const dataDevice = await engineIoDevice(connection, { id: info.ID ?? '', dataRoot: info.DockerRootDir ?? '' }, benchLabels);
const ioRules = 'path' in dataDevice ? ioCapsHostConfig(resources.io, dataDevice.path) : {};
const imageConfig = (await admin.getImage(IMAGE).inspect()).Config;
const stopSignal = stopSignalFor(imageConfig);
const healthcheck = imageConfig?.Healthcheck?.Test?.length
  ? undefined
  : { Test: ['CMD-SHELL', 'test -d /workspace'], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 };

/** Free 172.31.x.0/24 subnets, computed once; the raw side cycles through them. */
const freeRawSubnets = (() => {
  const toInt = (ip) => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  return admin.listNetworks().then((networks) => {
    const used = networks
      .flatMap((n) => n.IPAM?.Config ?? [])
      .map((c) => c.Subnet ?? '')
      .filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s))
      .map((s) => {
        const [ip, bits] = s.split('/');
        const size = 2 ** (32 - Number(bits));
        const start = Math.floor(toInt(ip) / size) * size;
        return [start, start + size - 1];
      });
    const free = [];
    for (let x = 0; x < 256; x++) {
      const start = toInt(`172.31.${x}.0`);
      if (!used.some(([a, b]) => a <= start + 255 && start <= b)) free.push(x);
    }
    if (free.length < 8) throw new Error('no free 172.31.x.0/24 subnets for the raw baseline');
    return free.slice(0, 8);
  });
})();
const rawSubnets = await freeRawSubnets;

const policy = {
  defaultImage: IMAGE,
  defaultLevel: 'standard',
  resources: {},
  ports: defaultPortPolicy,
  mountEngineSocket: false,
  home: homedir(),
  // The folder itself, as raw mounts it (review mode, the default, adds a volume and a reviewer container).
  projectMount: 'bind',
  labels: benchLabels,
};
const service = new WorkspaceService(
  async () => connection,
  () => policy,
);

// Every engine request of each side, per iteration, with the step it was made in.
const calls = { current: undefined };
let ourStep = 'connection';
let rawStep = 'network';
instrument(connection.docker, calls, () => ourStep);
instrument(connection.untimed, calls, () => ourStep);
instrument(raw, calls, () => rawStep);

// ---------------------------------------------------------------------------------------
// the two sides

const ourSteps = ['validating', 'gateway', 'network', 'container', 'starting'];

/**
 * What a container or network is, without what differs by run (ids, names, addresses, folders):
 * the warm-up compares ours and raw with it, so raw is known to do the same engine work.
 */
async function shapeOf(containerIds, networkNames) {
  const containers = [];
  for (const id of containerIds) {
    const c = await admin.getContainer(id).inspect();
    const h = c.HostConfig;
    const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
    // The docker CLI sends capabilities as CAP_X, sorted; the engine keeps them as given.
    const caps = (list) => (list ? list.map((cap) => cap.replace(/^CAP_/, '')).sort() : null);
    containers.push({
      role: c.Config.Labels?.[wsLabels.managed],
      running: c.State.Running,
      config: pick(c.Config, ['Image', 'User', 'Tty', 'OpenStdin', 'WorkingDir', 'StopSignal', 'Healthcheck', 'ExposedPorts']),
      env: (c.Config.Env ?? []).map((e) => e.split('=')[0]).sort(),
      labels: Object.keys(c.Config.Labels ?? {}).sort(),
      host: {
        ...pick(h, [
          'SecurityOpt',
          'Sysctls',
          'Memory',
          'MemorySwap',
          'PidsLimit',
          'CpuPeriod',
          'CpuQuota',
          'CpuShares',
          'BlkioWeight',
          'Init',
          'RestartPolicy',
          'Tmpfs',
          'IpcMode',
          'ReadonlyRootfs',
          'Privileged',
          'PortBindings',
        ]),
        CapAdd: caps(h.CapAdd),
        CapDrop: caps(h.CapDrop),
      },
      dns: (h.Dns ?? []).length,
      mounts: (h.Mounts ?? []).map((m) => `${m.Type} ${m.Target} ${m.ReadOnly ? 'ro' : 'rw'}`),
      networks: Object.values(c.NetworkSettings.Networks ?? {})
        .map((n) => (n.IPAMConfig?.IPv4Address ? 'static' : 'dynamic'))
        .sort(),
    });
  }
  const networks = [];
  for (const name of networkNames) {
    const n = await admin.getNetwork(name).inspect();
    networks.push({
      driver: n.Driver,
      internal: n.Internal,
      attachable: n.Attachable,
      options: n.Options,
      labels: Object.keys(n.Labels ?? {}).sort(),
      containers: Object.keys(n.Containers ?? {}).length,
    });
  }
  return { containers, networks };
}

/** Lines where two shapes differ (empty: the same). */
function shapeDiff(a, b, path = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => shapeDiff(a[k], b[k], `${path}.${k}`));
  }
  return [`${path}: ours ${JSON.stringify(a)?.slice(0, 120)}, raw ${JSON.stringify(b)?.slice(0, 120)}`];
}
const shapes = {};

async function runOurs({ capture = false } = {}) {
  const folder = freshFolder();
  const marks = {};
  const log = [];
  calls.current = log;
  ourStep = 'connection';
  const started = performance.now();
  const { workspace } = await service.create({ folder, level: LEVEL, image: IMAGE }, (step) => {
    marks[step] = performance.now();
    ourStep = step;
  });
  const total = performance.now() - started;
  calls.current = undefined;
  if (workspace.state !== 'running') throw new Error(`our workspace is ${workspace.state}, not running`);
  const end = { ...marks, end: started + total };
  const order = [...ourSteps, 'end'];
  const steps = Object.fromEntries(ourSteps.map((s, i) => [s, end[order[i + 1]] - end[s]]));
  if (capture)
    shapes.ours = await shapeOf([gatewayNameFor(workspace.id), workspace.containerId], [networkNameFor(workspace.id), egressNetworkNameFor(workspace.id)]);
  await service.remove(workspace.id);
  dropFolder(folder);
  return { total, steps, log };
}

const hostAddresses = await engineHostAddresses(connection);

/** Everything raw needs that is not engine work, computed before its clock starts. */
function rawRequest(iteration) {
  const folder = freshFolder();
  const id = newWorkspaceId(folder);
  const name = defaultWorkspaceName(folder);
  const [x, y] = [rawSubnets[(2 * iteration) % rawSubnets.length], rawSubnets[(2 * iteration + 1) % rawSubnets.length]];
  const [inside, outside] = [`172.31.${x}.0/24`, `172.31.${y}.0/24`];
  const mode = egressModeFor(LEVEL, undefined);
  const labels = {
    ...benchLabels,
    [wsLabels.managed]: 'true',
    [wsLabels.id]: id,
    [wsLabels.name]: name,
    [wsLabels.level]: LEVEL,
    [wsLabels.folder]: folder,
    [wsLabels.egress]: mode,
    [wsLabels.mount]: 'bind',
    ...(RUNTIME ? { [wsLabels.runtime]: RUNTIME } : {}),
  };
  const plan = isolationPlan({
    level: LEVEL,
    runtime: RUNTIME,
    resources,
    features,
    folder,
    networkName: networkNameFor(id),
    ports: [],
    engineSocket: undefined,
    protectedMounts: protectedMounts(folder, defaultProtectedPaths).mounts,
  });
  plan.user = workspaceUserFor(folder, LEVEL, plan.user).user;
  const addresses = insideAddresses(inside);
  const gatewayPlan = {
    mode,
    allow: parseAllowedHosts([]),
    insideSubnet: inside,
    ...addresses,
    outsideGateway: `172.31.${y}.1`,
    refused: [...hostAddresses, workspacePool, outside],
    ports: [],
  };
  const files = Object.fromEntries(Object.entries(gatewayFiles(gatewayPlan)).map(([file, content]) => [`aicli/${file}`, content]));
  return { folder, id, name, inside, outside, labels, plan, addresses, files };
}

function networkBody(name, subnet, options, labels) {
  const gateway = subnet.replace(/0\/24$/, '1');
  return {
    Name: name,
    Driver: 'bridge',
    Attachable: false,
    Internal: false,
    CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
    Options: options,
    Labels: labels,
  };
}

/** The engine create bodies of one raw workspace: the docker CLI side makes the same ones from them. */
function rawBodies(r) {
  return {
    inside: networkBody(networkNameFor(r.id), r.inside, insideNetworkOptions, r.labels),
    outside: networkBody(egressNetworkNameFor(r.id), r.outside, {}, r.labels),
    // The gateway as src/workspace/gateway.ts createGateway makes it (the warm-up checks they match).
    gateway: gatewayContainerOptions({
      workspaceId: r.id,
      labels: benchLabels,
      outsideNetwork: egressNetworkNameFor(r.id),
      portBindings: {},
      exposedPorts: {},
    }),
    box: {
      StopSignal: stopSignal,
      name: containerNameFor(r.id),
      Image: IMAGE,
      Labels: { ...r.labels, [wsLabels.ports]: '[]' },
      Env: [`WORKSPACE_ID=${r.id}`, `WORKSPACE_NAME=${r.name}`],
      WorkingDir: '/workspace',
      User: r.plan.user,
      Tty: true,
      OpenStdin: true,
      AttachStdin: false,
      ExposedPorts: r.plan.exposedPorts,
      Healthcheck: healthcheck,
      HostConfig: { ...r.plan.hostConfig, ...ioRules, PortBindings: {}, Dns: [r.addresses.gatewayIp], Sysctls: { ...noIpv6 } },
      NetworkingConfig: { EndpointsConfig: { [networkNameFor(r.id)]: { IPAMConfig: { IPv4Address: r.addresses.boxIp } } } },
    },
  };
}

async function runRaw(iteration, { capture = false, gatewayFirst = false } = {}) {
  const r = rawRequest(iteration);
  const bodies = rawBodies(r);
  const archive = packFiles(r.files);
  const log = [];
  calls.current = log;
  const marks = {};
  const started = performance.now();
  marks.network = started;
  rawStep = 'network';
  const [inside, outside] = await Promise.all([raw.createNetwork(bodies.inside), raw.createNetwork(bodies.outside)]);
  marks.container = performance.now();
  rawStep = 'container';
  const gateway = await raw.createContainer(bodies.gateway);
  await inside.connect({ Container: gateway.id, EndpointConfig: { IPAMConfig: { IPv4Address: r.addresses.gatewayIp } } });
  await gateway.putArchive(archive, { path: '/etc' });
  // gatewayFirst (CLI section only): the gateway starts while the box is created, as in the docker CLI's order.
  const gatewayStart = gatewayFirst ? gateway.start() : undefined;
  const container = await raw.createContainer(bodies.box);
  marks.starting = performance.now();
  rawStep = 'starting';
  await Promise.all([gatewayStart ?? gateway.start(), container.start()]);
  const total = performance.now() - started;
  calls.current = undefined;
  const steps = { network: marks.container - marks.network, container: marks.starting - marks.container, starting: started + total - marks.starting };
  const state = (await admin.getContainer(container.id).inspect()).State;
  if (!state.Running) throw new Error(`raw container is ${state.Status}, not running`);
  if (capture) shapes.raw = await shapeOf([gateway.id, container.id], [networkNameFor(r.id), egressNetworkNameFor(r.id)]);
  for (const c of [container, gateway]) await admin.getContainer(c.id).remove({ force: true, v: true });
  for (const n of [inside, outside]) await admin.getNetwork(n.id).remove();
  dropFolder(r.folder);
  return { total, steps, log };
}

// ---------------------------------------------------------------------------------------
// the engine's floor: what `POST /containers/{id}/start` alone costs here, whoever calls it

const FLOOR_ROUNDS = 7;
/** Start of a bare `sleep` container (no limits, no seccomp profile of ours) per network mode. */
async function timeBareStart(networkMode) {
  const container = await admin.createContainer({ Image: IMAGE, Cmd: ['sleep', '60'], Labels: benchLabels, HostConfig: { NetworkMode: networkMode } });
  const started = performance.now();
  await container.start();
  const ms = performance.now() - started;
  await container.remove({ force: true, v: true });
  await new Promise((r) => setTimeout(r, 200)); // let the engine finish tearing the sandbox down
  return ms;
}

/**
 * On a user-defined network Docker 20.10 re-executes its own binary three times per start
 * (libnetwork-setkey, set-ipv6, setup-resolver; seen with strace), so the binary's own start
 * time is part of every workspace start. Measured here as `dockerd --version`.
 */
function timeEngineBinaryStart() {
  const started = performance.now();
  execFileSync('dockerd', ['--version'], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
  return performance.now() - started;
}

/** Two bare containers, each on its own user-defined network, started in parallel (as a gateway and its box are). */
async function timeBarePairStart(networks) {
  const containers = await Promise.all(
    networks.map((n) => admin.createContainer({ Image: IMAGE, Cmd: ['sleep', '60'], Labels: benchLabels, HostConfig: { NetworkMode: n.id } })),
  );
  const started = performance.now();
  await Promise.all(containers.map((c) => c.start()));
  const ms = performance.now() - started;
  for (const c of containers) await c.remove({ force: true, v: true });
  await new Promise((r) => setTimeout(r, 200));
  return ms;
}

async function measureFloor() {
  // explicit subnets (the raw side's, free again by now): left to itself the engine would take a whole /16
  const networks = await Promise.all(
    [0, 1].map((k) =>
      admin.createNetwork({
        Name: `aicli-bench-floor-${runId}-${k}`,
        Driver: 'bridge',
        IPAM: { Config: [{ Subnet: `172.31.${rawSubnets[k]}.0/24` }] },
        Labels: benchLabels,
      }),
    ),
  );
  const floor = { none: [], bridge: [], user: [], pair: [], binary: [] };
  try {
    for (let i = 0; i < FLOOR_ROUNDS && !interrupted; i++) {
      floor.none.push(await timeBareStart('none'));
      floor.bridge.push(await timeBareStart('bridge'));
      floor.user.push(await timeBareStart(networks[0].id));
      floor.pair.push(await timeBarePairStart(networks));
      floor.binary.push(timeEngineBinaryStart());
    }
  } finally {
    for (const n of networks) await n.remove().catch(() => undefined);
  }
  return floor;
}

// ---------------------------------------------------------------------------------------
// CLI create vs docker CLI: whole commands, process start included

const cliPaths = args.cli.map((path) => resolve(root, path));
const cliLabel = (path) => (path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path);
const cliLabelArgs = Object.entries(benchLabels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
/** `--mount bind`: the folder itself, as raw and the docker CLI mount it (a CLI from before --mount always binds). */
const mountArgs = (cliPath) => (execFileSync(process.execPath, [cliPath, '--help'], { encoding: 'utf8' }).includes('--mount') ? ['--mount', 'bind'] : []);

/** Runs a program to its end; its stdout (trimmed), or an Error with its stderr. */
function runProgram(file, argv, input) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolvePromise(Buffer.concat(out).toString().trim())
        : reject(new Error(`${file} ${argv.slice(0, 3).join(' ')} … exited ${code}: ${Buffer.concat(err).toString().trim()}`)),
    );
    child.stdin.end(input);
  });
}

const docker = (argv, input) => runProgram(args.docker, argv, input);

async function streamToBuffer(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** `aicli-ws create` as a user runs it: a new node process, bundle load, connection, create, exit. */
async function runCli(cliPath, key, mount, { capture = false } = {}) {
  const folder = freshFolder();
  const started = performance.now();
  const stdout = await runProgram(process.execPath, [cliPath, 'create', '--folder', folder, '--json', ...mount, ...cliLabelArgs]);
  const total = performance.now() - started;
  const workspace = JSON.parse(stdout);
  if (workspace.state !== 'running') throw new Error(`${cliLabel(cliPath)} made a workspace that is ${workspace.state}, not running`);
  if (capture)
    shapes[key] = await shapeOf([gatewayNameFor(workspace.id), workspace.containerId], [networkNameFor(workspace.id), egressNetworkNameFor(workspace.id)]);
  await service.remove(workspace.id);
  dropFolder(folder);
  return { total };
}

/**
 * The same workspace with the docker CLI, from raw's create bodies; everything but the commands is
 * done before the clock. `chain`: one command after the other, as `docker network create … &&
 * docker run -d …`; otherwise in parallel where ours is (the two networks; gateway start and box).
 */
async function runDockerCli(iteration, { capture = false, chain = true } = {}) {
  const r = rawRequest(iteration);
  const bodies = rawBodies(r);
  const scratch = freshFolder();
  const gatewayArgs = ['create', ...dockerContainerArgs(bodies.gateway, scratch)];
  const boxArgs = ['run', '--detach', ...dockerContainerArgs(bodies.box, scratch)];
  const archive = await streamToBuffer(packFiles(r.files));
  const both = async (first, second) => (chain ? [await first(), await second()] : Promise.all([first(), second()]));
  const started = performance.now();
  await both(
    () => docker(dockerNetworkArgs(bodies.inside)),
    () => docker(dockerNetworkArgs(bodies.outside)),
  );
  const gateway = await docker(gatewayArgs);
  await docker(['network', 'connect', '--ip', r.addresses.gatewayIp, networkNameFor(r.id), gateway]);
  await docker(['cp', '-', `${gateway}:/etc`], archive);
  const [, box] = await both(
    () => docker(['start', gateway]),
    () => docker(boxArgs),
  );
  const total = performance.now() - started;
  const state = (await admin.getContainer(box).inspect()).State;
  if (!state.Running) throw new Error(`the docker CLI's box is ${state.Status}, not running`);
  if (capture) shapes.docker = await shapeOf([gateway, box], [networkNameFor(r.id), egressNetworkNameFor(r.id)]);
  for (const id of [box, gateway]) await admin.getContainer(id).remove({ force: true, v: true });
  for (const name of [networkNameFor(r.id), egressNetworkNameFor(r.id)]) await admin.getNetwork(name).remove();
  dropFolder(r.folder);
  dropFolder(scratch);
  return { total };
}

/** Median wall time of a short command (process start and load): node's own, the CLI's help, the docker CLI's. */
async function startTimes(rounds) {
  const programs = [
    ['node -e 0', process.execPath, ['-e', '0']],
    ...(process.env.NODE_EXTRA_CA_CERTS ? [['node -e 0, without NODE_EXTRA_CA_CERTS', 'env', ['-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '-e', '0']]] : []),
    ...cliPaths.map((path) => [`node ${cliLabel(path)} --help`, process.execPath, [path, '--help']]),
    [`${args.docker} --version`, args.docker, ['--version']],
  ];
  const times = Object.fromEntries(programs.map(([label]) => [label, []]));
  for (let i = 0; i < rounds && !interrupted; i++) {
    for (const [label, file, argv] of programs) {
      const started = performance.now();
      await runProgram(file, argv);
      times[label].push(performance.now() - started);
    }
  }
  return times;
}

const otherSides = [
  { key: 'chain', label: `${args.docker} CLI, && chain of 7 commands`, run: (i, o) => runDockerCli(i, { ...o, chain: true }) },
  { key: 'parallel', label: `${args.docker} CLI, parallel where ours is`, run: (i, o) => runDockerCli(i, { ...o, chain: false }) },
  { key: 'raw', label: 'raw dockerode in-process, as ours', run: (i, o) => runRaw(i, o) },
  { key: 'rawGatewayFirst', label: 'raw, gateway started before box create', run: (i, o) => runRaw(i, { ...o, gatewayFirst: true }) },
];

/** One rotation per iteration over every CLI build, the docker CLI and raw; the order shifts by one each time. */
async function runCliSection(loads) {
  const sides = [
    ...cliPaths.map((path, index) => {
      const mount = mountArgs(path);
      return { key: `cli${index}`, path, label: `node ${cliLabel(path)} create --json`, run: (_i, o) => runCli(path, `cli${index}`, mount, o) };
    }),
    ...otherSides,
  ];
  const times = Object.fromEntries(sides.map(({ key }) => [key, []]));
  for (let i = 0; i < WARMUP + N && !interrupted; i++) {
    for (const deadline = Date.now() + 15 * 60_000; loadavg()[0] > MAX_LOAD && Date.now() < deadline && !interrupted;)
      await new Promise((r) => setTimeout(r, 5000));
    loads.push(loadavg()[0]);
    for (const side of sides.map((_, k) => sides[(k + i) % sides.length])) {
      if (interrupted) break;
      const run = side.run(i, { capture: i === 0 });
      inFlight = run;
      const { total } = await run;
      if (i >= WARMUP) times[side.key].push(total);
    }
    if (interrupted) break;
    const line = sides.map(({ key, path }) => `${path ? cliLabel(path) : key} ${fmt(times[key].at(-1) ?? NaN)}`).join(', ');
    console.log(i >= WARMUP ? `  cli #${i - WARMUP + 1}: ${line}  (load ${loads.at(-1).toFixed(2)})` : `  cli warm-up ${i + 1}`);
    if (i === 0) {
      for (const { key, path } of sides.filter((side) => side.path)) {
        const diff = shapeDiff(shapes[key], shapes.docker);
        console.log(
          diff.length
            ? `  the docker CLI's workspace differs from ${cliLabel(path)}'s:\n    ${diff.join('\n    ')}`
            : `  the docker CLI makes the same containers and networks as ${cliLabel(path)} (warm-up 1 compared)`,
        );
      }
    }
  }
  return { sides, times, start: interrupted ? undefined : await startTimes(7) };
}

function reportCliSection({ sides, times, start }) {
  console.log('');
  console.log(`CLI create vs docker CLI (whole commands, N=${times.raw.length} each, rotated; one workspace: 2 networks, gateway with its files, box)`);
  for (const { key, label } of sides) {
    console.log(`  ${pad(label, 46)} median ${fmt(median(times[key]))}, p90 ${fmt(p90(times[key]))} (min ${fmt(Math.min(...times[key]))})`);
  }
  for (const { key, path } of sides.filter((side) => side.path)) {
    const ours = median(times[key]);
    const against = (other) => (ours / median(times[other])).toFixed(2);
    const ratio = ours / median(times.chain);
    console.log(
      `  ${cliLabel(path)}: / docker CLI && chain ${ratio.toFixed(2)}x (target <= 1.10x: ${ratio <= 1.1 ? 'met' : 'MISSED'}), / docker CLI parallel ${against('parallel')}x, / raw in-process ${against('raw')}x`,
    );
  }
  if (start) for (const [label, ms] of Object.entries(start)) console.log(`  start, ${pad(label, 44)} median ${fmt(median(ms))}`);
}

// ---------------------------------------------------------------------------------------
// run

const results = { ours: [], raw: [] };
let failed;
try {
  const before = await sweep();
  if (before.containers || before.networks)
    console.error(`removed leftovers of an earlier run: ${before.containers} container(s), ${before.networks} network(s)`);
  const concurrent = await admin.listContainers({ filters: JSON.stringify({ status: ['running'] }) });
  console.log(
    `engine ${target.host}: Docker ${connection.engineVersion.Version}, API ${connection.apiVersion}, ${info.NCPU} CPUs; ` +
      `${concurrent.length} other running container(s); N=${N} (+${WARMUP} warm-up) each, alternating`,
  );
  console.log(`  ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  if (SERVICE_SECTION) {
    const loads = [];
    for (let i = 0; i < WARMUP + N; i++) {
      if (interrupted) break;
      for (const deadline = Date.now() + 15 * 60_000; loadavg()[0] > MAX_LOAD && Date.now() < deadline && !interrupted;)
        await new Promise((r) => setTimeout(r, 5000));
      loads.push(loadavg()[0]);
      // ABBA: ours first on even iterations, raw first on odd ones
      const order = i % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
      for (const side of order) {
        if (interrupted) break;
        const capture = i === 0;
        const run = side === 'ours' ? runOurs({ capture }) : runRaw(i, { capture });
        inFlight = run;
        const r = await run;
        if (i >= WARMUP) results[side].push(r);
      }
      if (interrupted) break;
      const last = (side) => results[side].at(-1)?.total;
      console.log(
        i >= WARMUP
          ? `  #${i - WARMUP + 1}: ours ${fmt(last('ours'))}, raw ${fmt(last('raw'))}  (load ${loads.at(-1).toFixed(2)} at its start)`
          : `  warm-up ${i + 1}`,
      );
      if (i === 0) {
        const diff = shapeDiff(shapes.ours, shapes.raw);
        console.log(
          diff.length
            ? `  raw differs from ours (containers: gateway, box; networks: box's, outside):\n    ${diff.join('\n    ')}`
            : '  raw makes the same containers and networks as ours (warm-up 1 compared)',
        );
      }
    }
    if (loads.length)
      console.log(`  1-minute load at the start of each pair: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (waited for <= ${MAX_LOAD})`);
    if (!interrupted) results.floor = await measureFloor();
  }
  if (CLI_SECTION && !interrupted) {
    const loads = [];
    results.cli = await runCliSection(loads);
    if (loads.length)
      console.log(
        `  1-minute load at the start of each CLI rotation: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (waited for <= ${MAX_LOAD})`,
      );
  }
  console.log(`  ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
} catch (err) {
  failed = err;
} finally {
  await inFlight.catch(() => undefined);
  const swept = await sweep().catch((err) => (console.error(`sweep failed: ${err.message}`), { containers: '?', networks: '?' }));
  if (swept.containers || swept.networks) console.error(`swept ${swept.containers} container(s), ${swept.networks} network(s) labelled ${SCRIPT_LABEL}=create`);
  await engine.stop();
}
if (failed) throw failed;
if (interrupted) process.exit(130);

// ---------------------------------------------------------------------------------------
// report

if (SERVICE_SECTION) reportService();
if (results.cli) reportCliSection(results.cli);

function reportService() {
  const totals = (side) => results[side].map((r) => r.total);
  const ourMedian = median(totals('ours'));
  const rawMedian = median(totals('raw'));
  const ratio = ourMedian / rawMedian;
  console.log('');
  console.log(`ours: WorkspaceService.create()   median ${fmt(ourMedian)}, p90 ${fmt(p90(totals('ours')))} (min ${fmt(Math.min(...totals('ours')))})`);
  console.log(`raw dockerode, same engine writes median ${fmt(rawMedian)}, p90 ${fmt(p90(totals('raw')))} (min ${fmt(Math.min(...totals('raw')))})`);
  console.log(`ratio ours / raw (medians)        ${ratio.toFixed(2)}x   target <= 1.10x: ${ratio <= 1.1 ? 'met' : 'MISSED'}`);
  console.log(`ours absolute (median)            ${(ourMedian / 1000).toFixed(3)} s   target < 0.6 s: ${ourMedian < 600 ? 'met' : 'MISSED'}`);

  /** Per step: median duration; per engine request in it: median and how many per create. */
  function breakdown(side, steps) {
    const runs = results[side];
    console.log('');
    console.log(`${side === 'ours' ? 'ours, per step (onStep)' : 'raw, per step'}     median     engine requests in it (median each, xcount per create)`);
    for (const step of steps) {
      const stepMedian = median(runs.map((r) => r.steps[step]));
      const keys = [...new Set(runs.flatMap((r) => r.log.filter((c) => c.step === step).map((c) => c.key)))];
      const parts = keys.map((key) => {
        const per = runs.map((r) => r.log.filter((c) => c.step === step && c.key === key));
        const count = median(per.map((p) => p.length));
        const each = median(per.flatMap((p) => p.map((c) => c.ms)));
        return `${key} ${fmt(each)}${count !== 1 ? ` x${count}` : ''}`;
      });
      const inEngine = median(runs.map((r) => r.log.filter((c) => c.step === step).reduce((a, c) => a + c.ms, 0)));
      const local = median(runs.map((r) => r.steps[step] - r.log.filter((c) => c.step === step).reduce((a, c) => a + c.ms, 0)));
      console.log(`  ${pad(step, 24)} ${pad(fmt(stepMedian), 10)} ${parts.join('; ') || '-'}`);
      console.log(
        `  ${pad('', 24)} ${pad('', 10)} (requests ${fmt(inEngine)}, outside requests ${fmt(local)}; parallel requests overlap, so their sum can exceed the step)`,
      );
    }
    const requestCount = median(runs.map((r) => r.log.length));
    console.log(`  engine requests per create: ${requestCount}`);
  }
  breakdown('ours', ourSteps);
  breakdown('raw', ['network', 'container', 'starting']);

  if (results.floor) {
    const f = results.floor;
    console.log('');
    console.log(`engine floor (median of ${f.none.length}, bare container, no limits/profile; same run)`);
    console.log(`  start, NetworkMode none            ${fmt(median(f.none))}`);
    console.log(`  start, default bridge              ${fmt(median(f.bridge))}`);
    console.log(`  start, user-defined bridge         ${fmt(median(f.user))}   (a workspace's networks are)`);
    console.log(`  two starts in parallel, each on its own user-defined bridge ${fmt(median(f.pair))}   (as the gateway and the box)`);
    console.log(`  engine binary start (dockerd --version) ${fmt(median(f.binary))}   (x3 re-execs per start on a user-defined network)`);
    const rawStart = median(results.raw.map((r) => r.steps.starting));
    console.log(`  raw starting step (gateway + box started in parallel, above) ${fmt(rawStart)}`);
    console.log(
      `  raw engine work in all (median, above) ${fmt(rawMedian)}: < 0.6 s for create+start reachable by any client here: ${rawMedian < 600 ? 'maybe' : 'no'}`,
    );
  }
}
