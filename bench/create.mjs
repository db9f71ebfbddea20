// bench/create: time for WorkspaceService.create() of a `standard` workspace (fresh folder,
// aicli/base:latest, default resources) until it returns with the container running, vs raw
// dockerode doing the same engine work (network create + container create with the same
// HostConfig/Config + start) in the same run, alternating the two. Also the time of each of
// our create's steps (onStep) and of every engine request inside them, so we see where the
// time goes. Everything it makes is labelled aicli.bench=true and swept at the end, on
// failure and on SIGINT/SIGTERM.
//
//   node bench/create.mjs [--iterations 15] [--warmup 2] [--no-compile]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: { iterations: { type: 'string', default: '15' }, warmup: { type: 'string', default: '2' }, 'no-compile': { type: 'boolean', default: false } },
});
const N = Number(args.iterations);
const WARMUP = Number(args.warmup);
const IMAGE = 'aicli/base:latest';
const BENCH_LABEL = 'aicli.bench';
const runId = `${process.pid}-${Date.now().toString(36)}`;
const benchLabels = { [BENCH_LABEL]: 'true', 'aicli.bench.run': runId };

if (!args['no-compile']) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
}
const out = (...p) => join(root, 'out', 'src', ...p);
const Docker = require(join(root, 'node_modules', 'dockerode'));
const { EngineConnection } = require(out('engine', 'connection.js'));
const { defaultEngineSettings, resolveEngineTarget } = require(out('engine', 'target.js'));
const { defaultPortPolicy } = require(out('isolation', 'ports.js'));
const { parseResources } = require(out('isolation', 'resources.js'));
const { isolationPlan } = require(out('isolation', 'levels.js'));
const { stopSignalFor } = require(out('workspace', 'create.js'));
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

/** Removes every container and network labelled aicli.bench=true, and our temp folders. */
async function sweep() {
  const filters = JSON.stringify({ label: [`${BENCH_LABEL}=true`] });
  let containers = 0;
  let networks = 0;
  for (const info of await admin.listContainers({ all: true, filters })) {
    await admin.getContainer(info.Id).remove({ force: true, v: true }).then(() => containers++, () => undefined);
  }
  for (const info of await admin.listNetworks({ filters })) {
    await admin.getNetwork(info.Id).remove().then(() => networks++, () => undefined);
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
      console.error(`\n${signal}: finishing the create in flight, then sweeping ${BENCH_LABEL}=true (again to sweep now)`);
    } else if (signals === 2) {
      console.error(`${signal}: sweeping ${BENCH_LABEL}=true now (again to quit at once)`);
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
const features = { seccomp: /name=seccomp/.test(securityOptions), apparmor: /name=apparmor/.test(securityOptions), selinux: /name=selinux/.test(securityOptions) };
const resources = parseResources({}, info.NCPU);
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
    if (free.length < 4) throw new Error('no free 172.31.x.0/24 subnets for the raw baseline');
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
  labels: benchLabels,
};
const service = new WorkspaceService(async () => connection, () => policy);

// Every engine request of each side, per iteration, with the step it was made in.
const calls = { current: undefined };
let ourStep = 'connection';
let rawStep = 'network';
instrument(connection.docker, calls, () => ourStep);
instrument(connection.untimed, calls, () => ourStep);
instrument(raw, calls, () => rawStep);

// ---------------------------------------------------------------------------------------
// the two sides

const ourSteps = ['validating', 'network', 'container', 'starting'];

async function runOurs() {
  const folder = freshFolder();
  const marks = {};
  const log = [];
  calls.current = log;
  ourStep = 'connection';
  const started = performance.now();
  const { workspace } = await service.create({ folder, level: 'standard', image: IMAGE }, (step) => {
    marks[step] = performance.now();
    ourStep = step;
  });
  const total = performance.now() - started;
  calls.current = undefined;
  if (workspace.state !== 'running') throw new Error(`our workspace is ${workspace.state}, not running`);
  const end = { ...marks, end: started + total };
  const order = [...ourSteps, 'end'];
  const steps = Object.fromEntries(ourSteps.map((s, i) => [s, end[order[i + 1]] - end[s]]));
  await service.remove(workspace.id);
  dropFolder(folder);
  return { total, steps, log };
}

async function runRaw(iteration) {
  const folder = freshFolder();
  const id = newWorkspaceId(folder);
  const name = defaultWorkspaceName(folder);
  const x = rawSubnets[iteration % rawSubnets.length];
  const labels = { ...benchLabels, [wsLabels.managed]: 'true', [wsLabels.id]: id, [wsLabels.name]: name, [wsLabels.level]: 'standard', [wsLabels.folder]: folder };
  const plan = isolationPlan({ level: 'standard', resources, features, folder, networkName: networkNameFor(id), ports: [], engineSocket: undefined });
  const log = [];
  calls.current = log;
  const marks = {};
  const started = performance.now();
  marks.network = started;
  rawStep = 'network';
  const network = await raw.createNetwork({
    Name: networkNameFor(id),
    Driver: 'bridge',
    Attachable: false,
    Internal: false,
    CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: `172.31.${x}.0/24`, Gateway: `172.31.${x}.1` }] },
    Options: plan.networkOptions,
    Labels: labels,
  });
  marks.container = performance.now();
  rawStep = 'container';
  const container = await raw.createContainer({
    StopSignal: stopSignal,
    name: containerNameFor(id),
    Image: IMAGE,
    Labels: labels,
    Env: [`WORKSPACE_ID=${id}`, `WORKSPACE_NAME=${name}`],
    WorkingDir: '/workspace',
    User: plan.user,
    Tty: true,
    OpenStdin: true,
    AttachStdin: false,
    ExposedPorts: plan.exposedPorts,
    Healthcheck: healthcheck,
    HostConfig: plan.hostConfig,
  });
  marks.starting = performance.now();
  rawStep = 'starting';
  await container.start();
  const total = performance.now() - started;
  calls.current = undefined;
  const steps = { network: marks.container - marks.network, container: marks.starting - marks.container, starting: started + total - marks.starting };
  const state = (await admin.getContainer(container.id).inspect()).State;
  if (!state.Running) throw new Error(`raw container is ${state.Status}, not running`);
  await admin.getContainer(container.id).remove({ force: true, v: true });
  await network.remove();
  dropFolder(folder);
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

async function measureFloor() {
  const userNetwork = await admin.createNetwork({ Name: `aicli-bench-floor-${runId}`, Driver: 'bridge', Labels: benchLabels });
  const floor = { none: [], bridge: [], user: [], binary: [] };
  try {
    for (let i = 0; i < FLOOR_ROUNDS && !interrupted; i++) {
      floor.none.push(await timeBareStart('none'));
      floor.bridge.push(await timeBareStart('bridge'));
      floor.user.push(await timeBareStart(userNetwork.id));
      floor.binary.push(timeEngineBinaryStart());
    }
  } finally {
    await userNetwork.remove().catch(() => undefined);
  }
  return floor;
}

// ---------------------------------------------------------------------------------------
// run

const results = { ours: [], raw: [] };
let failed;
try {
  const before = await sweep();
  if (before.containers || before.networks) console.error(`removed leftovers of an earlier run: ${before.containers} container(s), ${before.networks} network(s)`);
  const concurrent = await admin.listContainers({ filters: JSON.stringify({ status: ['running'] }) });
  console.log(
    `engine ${target.host}: Docker ${connection.engineVersion.Version}, API ${connection.apiVersion}, ${info.NCPU} CPUs; ` +
      `${concurrent.length} other running container(s); N=${N} (+${WARMUP} warm-up) each, alternating`,
  );
  for (let i = 0; i < WARMUP + N; i++) {
    if (interrupted) break;
    // ABBA: ours first on even iterations, raw first on odd ones
    const order = i % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
    for (const side of order) {
      if (interrupted) break;
      const run = side === 'ours' ? runOurs() : runRaw(i);
      inFlight = run;
      const r = await run;
      if (i >= WARMUP) results[side].push(r);
    }
    if (interrupted) break;
    const last = (side) => results[side].at(-1)?.total;
    console.log(i >= WARMUP ? `  #${i - WARMUP + 1}: ours ${fmt(last('ours'))}, raw ${fmt(last('raw'))}` : `  warm-up ${i + 1}`);
  }
  if (!interrupted) results.floor = await measureFloor();
} catch (err) {
  failed = err;
} finally {
  await inFlight.catch(() => undefined);
  const swept = await sweep().catch((err) => (console.error(`sweep failed: ${err.message}`), { containers: '?', networks: '?' }));
  if (swept.containers || swept.networks) console.error(`swept ${swept.containers} container(s), ${swept.networks} network(s) labelled ${BENCH_LABEL}=true`);
  await engine.stop();
}
if (failed) throw failed;
if (interrupted) process.exit(130);

// ---------------------------------------------------------------------------------------
// report

const totals = (side) => results[side].map((r) => r.total);
const ourMedian = median(totals('ours'));
const rawMedian = median(totals('raw'));
const ratio = ourMedian / rawMedian;
console.log('');
console.log(`ours: WorkspaceService.create()  median ${fmt(ourMedian)}, p90 ${fmt(p90(totals('ours')))} (min ${fmt(Math.min(...totals('ours')))})`);
console.log(`raw dockerode net+create+start   median ${fmt(rawMedian)}, p90 ${fmt(p90(totals('raw')))} (min ${fmt(Math.min(...totals('raw')))})`);
console.log(`ratio ours / raw (medians)       ${ratio.toFixed(2)}x   target <= 1.10x: ${ratio <= 1.1 ? 'met' : 'MISSED'}`);
console.log(`ours absolute (median)           ${(ourMedian / 1000).toFixed(3)} s   target < 0.6 s: ${ourMedian < 600 ? 'met' : 'MISSED'}`);

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
    console.log(`  ${pad('', 24)} ${pad('', 10)} (requests ${fmt(inEngine)}, outside requests ${fmt(local)})`);
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
  console.log(`  start, user-defined bridge         ${fmt(median(f.user))}   (a workspace's network is one)`);
  console.log(`  engine binary start (dockerd --version) ${fmt(median(f.binary))}   (x3 re-execs per start on a user-defined network)`);
  const rawStart = median(results.raw.map((r) => r.steps.starting));
  console.log(`  raw POST /containers/{id}/start alone (above) ${fmt(rawStart)}: < 0.6 s for create+start reachable here: ${rawStart < 600 ? 'maybe' : 'no'}`);
}
