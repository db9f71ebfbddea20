// bench/review: what the `review` project mount costs against `bind`, and how fast the box's
// changes are listed.
//
// 1. Create + start: `WorkspaceService.create({ folder, mount })` until it returns with the box
//    running, `review` and `bind` alternated ABBA in the same run, for a project of 10 files and
//    for one of 50,000 files / ~500 MB generated once per run (nested directories, mostly small
//    files, 100 medium and 10 large ones; owned by uid 1000). Goal: review <= 1.2x bind at both
//    sizes. Both use `standard` (egress auto = allowlist, so a gateway too), aicli/base:latest.
// 2. Per step (onStep) and per engine request inside it, for both modes: what review does beyond
//    bind (review volume, reviewer container, putArchive of its layout, volume inspect, overlay
//    volume), and the time of `service.remove` of each.
// 3. Listing: a review workspace on the big project; one exec in the box changes 1,000 files
//    (400 modified, 300 added, 300 deleted), then `WorkspaceChanges.list()` is timed N times and
//    must list exactly those 1,000. Two layouts: `spread` (one change in each of the 1,000 leaf
//    directories) and `clustered` (the 1,000 changes in 20 directories). In the same rotation:
//    the engine's own tar of the review volume (GET archive of /u through the reviewer, drained),
//    the floor of any listing that reads the upper layer that way; and `node dist/cli.js diff
//    NAME --stat` when the CLI has that verb. Goal: < 1 s.
//
// Everything it makes is labelled aicli.bench=true, aicli.bench.script=review and swept
// (containers, networks, volumes) at the end, on failure and on SIGINT/SIGTERM; the project
// folders (in the temp dir) are removed. Other sessions test on the same machine: before each
// pair (and each listing round) it waits, up to 15 min, until the 1-minute load is at most
// --max-load, as bench/create does.
//
//   node bench/review.mjs [--iterations 5] [--warmup 1] [--max-load 1.5] [--no-compile]
//                         [--files 50000] [--megabytes 500] [--section all|create|list]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, realpathSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ensureEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'max-load': { type: 'string', default: '1.5' },
    'no-compile': { type: 'boolean', default: false },
    files: { type: 'string', default: '50000' },
    megabytes: { type: 'string', default: '500' },
    section: { type: 'string', default: 'all' },
  },
});
if (!['all', 'create', 'list'].includes(args.section)) throw new Error(`--section takes all, create or list, got ${args.section}`);
const N = Number(args.iterations);
const WARMUP = Number(args.warmup);
const MAX_LOAD = Number(args['max-load']);
const BIG_FILES = Number(args.files);
const BIG_BYTES = Number(args.megabytes) * 1e6;
const IMAGE = 'aicli/base:latest';
const CHANGED = 1000;
const SCRIPT_LABEL = 'aicli.bench.script';
const runId = `${process.pid}-${Date.now().toString(36)}`;
const benchLabels = { 'aicli.bench': 'true', [SCRIPT_LABEL]: 'review', 'aicli.bench.run': runId };
const scriptFilter = JSON.stringify({ label: [`${SCRIPT_LABEL}=review`] });

if (!args['no-compile']) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
const out = (...p) => join(root, 'out', 'src', ...p);
const Docker = require(join(root, 'node_modules', 'dockerode'));
const { EngineConnection } = require(out('engine', 'connection.js'));
const { defaultEngineSettings, resolveEngineTarget } = require(out('engine', 'target.js'));
const { defaultPortPolicy } = require(out('isolation', 'ports.js'));
const { defaultProtectedPaths } = require(out('isolation', 'projectMount.js'));
const { WorkspaceService } = require(out('workspace', 'service.js'));
const { WorkspaceChanges } = require(out('workspace', 'review', 'service.js'));
const { reviewerNameFor, reviewPaths } = require(out('workspace', 'review', 'names.js'));

// ---------------------------------------------------------------------------------------
// helpers (as bench/create)

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest rank: with 5 samples, the largest. */
const p90 = (xs) => sorted(xs)[Math.max(0, Math.ceil(0.9 * xs.length) - 1)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const pad = (s, n) => String(s).padEnd(n);
const two = (n) => String(n).padStart(2, '0');
const three = (n) => String(n).padStart(3, '0');

/** `PUT /v1.41/containers/3f…/archive?path=/u` → `PUT /containers/{id}/archive`. */
function callKey(method, path) {
  const p = path
    .split('?')[0]
    .replace(/^\/v\d+\.\d+/, '')
    .replace(/\/containers\/(?!json|create)[^/]+/, '/containers/{id}')
    .replace(/\/networks\/(?!create)[^/]+/, '/networks/{id}')
    .replace(/\/volumes\/(?!create)[^/]+/, '/volumes/{name}')
    .replace(/\/exec\/[^/]+/, '/exec/{id}')
    .replace(/\/images\/.+\/json$/, '/images/{name}/json');
  return `${method} ${p}`;
}

/** Times every engine request a dockerode instance makes, tagged with `phase()` when it starts. */
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

/** bench/create's load wait: up to 15 min until the 1-minute load is at most --max-load; the load then. */
async function quiet() {
  for (const deadline = Date.now() + 15 * 60_000; loadavg()[0] > MAX_LOAD && Date.now() < deadline && !interrupted;)
    await new Promise((r) => setTimeout(r, 5000));
  return loadavg()[0];
}

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

// ---------------------------------------------------------------------------------------
// engine, clients, cleanup

const engine = await ensureEngine({ log: () => {} });
const target = resolveEngineTarget({ ...defaultEngineSettings }, process.env, homedir());
if (target.spec.scheme !== 'unix') throw new Error(`bench/review needs a local unix-socket engine (review mode is local only), got ${target.host}`);
const connection = await EngineConnection.connect(target);
// setup, checks and cleanup: never timed nor instrumented, except the floor's own client
const admin = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });
const floorClient = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });

const folders = new Set();
function newFolder(tag) {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), `acb-review-${tag}-`)));
  folders.add(folder);
  return folder;
}

/** Removes every container, network and volume of this bench (not other benches'), and our folders. */
async function sweep() {
  const counts = { containers: 0, networks: 0, volumes: 0 };
  const gone = (kind) => () => counts[kind]++;
  const ignore = () => undefined;
  for (const info of await admin.listContainers({ all: true, filters: scriptFilter }))
    await admin.getContainer(info.Id).remove({ force: true, v: true }).then(gone('containers'), ignore);
  for (const info of await admin.listNetworks({ filters: scriptFilter })) await admin.getNetwork(info.Id).remove().then(gone('networks'), ignore);
  // the overlay views first: they point into the review volumes
  const volumes = (await admin.listVolumes({ filters: scriptFilter })).Volumes ?? [];
  const byViewFirst = [...volumes].sort((a, b) => Number(b.Name.startsWith('aicli-view-')) - Number(a.Name.startsWith('aicli-view-')));
  for (const v of byViewFirst) await admin.getVolume(v.Name).remove().then(gone('volumes'), ignore);
  for (const folder of [...folders]) {
    rmSync(folder, { recursive: true, force: true });
    folders.delete(folder);
  }
  return counts;
}

let inFlight = Promise.resolve();
let interrupted = false;
let signals = 0;
// First signal: stop before the next create or listing, the `finally` sweeps. Second: sweep now
// and again when what is in flight ends (at most 5 s later), and exit. Third: exit at once.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    signals++;
    interrupted = true;
    if (signals === 1) {
      console.error(`\n${signal}: finishing what is in flight, then sweeping ${SCRIPT_LABEL}=review (again to sweep now)`);
    } else if (signals === 2) {
      console.error(`${signal}: sweeping ${SCRIPT_LABEL}=review now (again to quit at once)`);
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
// the projects

/**
 * The big project: 1,000 leaf directories `dXX/sYY` (50 x 20), `files / 1000` files `fNNN.dat`
 * in each. Small files of 100 B – 4 KB; in leaves 800–899 the last-but-one file is medium
 * (64 KB – 1 MB); in leaves 990–999 the last one is large, the rest of `bytes`. The changes of
 * the listing keep off both. Contents are slices of one random buffer (not compressible, not zeros).
 */
const LEAVES = 1000;
const leafDir = (j) => `d${two(j % 50)}/s${two(Math.floor(j / 50))}`;
function generateBig(folder, files, bytes) {
  const perLeaf = Math.ceil(files / LEAVES);
  const noise = randomBytes(4 * 2 ** 20);
  const medium = (j) => j >= 800 && j < 900 && perLeaf >= 2;
  const large = (j) => j >= 990;
  let written = 0;
  let count = 0;
  const largeFiles = [];
  for (let j = 0; j < LEAVES; j++) {
    mkdirSync(join(folder, leafDir(j)), { recursive: true });
    for (let k = 0; k < perLeaf && count < files; k++, count++) {
      const path = join(folder, leafDir(j), `f${three(k)}.dat`);
      if (large(j) && k === perLeaf - 1) {
        largeFiles.push(path);
        continue;
      }
      const seed = (j * 7919 + k * 104729) % 1_000_003;
      const size = medium(j) && k === perLeaf - 2 ? 65536 + (seed % (2 ** 20 - 65536)) : 100 + (seed % 3996);
      writeFileSync(path, noise.subarray(seed % (noise.length - size), (seed % (noise.length - size)) + size));
      written += size;
    }
  }
  const each = Math.max(0, Math.floor((bytes - written) / largeFiles.length));
  for (const path of largeFiles) {
    const fd = openSync(path, 'w');
    for (let left = each; left > 0; left -= noise.length) writeSync(fd, noise, 0, Math.min(left, noise.length));
    closeSync(fd);
    written += each;
  }
  return { files: count, bytes: written, large: largeFiles.length, largeEach: each };
}

function generateSmall(folder) {
  mkdirSync(join(folder, 'src', 'lib'), { recursive: true });
  const files = [
    'README.md',
    'package.json',
    '.gitignore',
    'src/index.js',
    'src/util.js',
    'src/lib/a.js',
    'src/lib/b.js',
    'src/lib/c.js',
    'test.js',
    'LICENSE',
  ];
  files.forEach((file, i) => writeFileSync(join(folder, file), `// ${file}\n${'x'.repeat(200 * (i + 1))}\n`));
  return { files: files.length, bytes: files.reduce((sum, _f, i) => sum + 200 * (i + 1), 0) };
}

/** As a real user's folder: owned by uid 1000; then flushed, so the writes do not land in a measurement. */
function ownAndFlush(folder) {
  execFileSync('chown', ['-R', '1000:1000', folder]);
  execFileSync('sync');
}

// ---------------------------------------------------------------------------------------
// the service, instrumented

const policy = {
  defaultImage: IMAGE,
  defaultLevel: 'standard',
  resources: {},
  ports: defaultPortPolicy,
  mountEngineSocket: false,
  home: homedir(),
  labels: benchLabels,
};
const service = new WorkspaceService(
  async () => connection,
  () => policy,
);
const changes = new WorkspaceChanges(
  async () => connection,
  () => defaultProtectedPaths,
);
const calls = { current: undefined };
let phase = 'connection';
instrument(connection.docker, calls, () => phase);
instrument(connection.untimed, calls, () => phase);

let serial = 0;
/** One create until running (the timed part), then its removal (timed apart). */
async function createOnce(folder, mount) {
  const log = [];
  const marks = [];
  calls.current = log;
  phase = 'connection';
  const started = performance.now();
  const { workspace } = await service.create({ folder, mount, name: `bench-review-${runId}-${serial++}`, level: 'standard', image: IMAGE }, (step) => {
    marks.push([step, performance.now()]);
    phase = step;
  });
  const total = performance.now() - started;
  calls.current = undefined;
  if (workspace.state !== 'running') throw new Error(`the ${mount} workspace is ${workspace.state}, not running`);
  if (workspace.labels['aicli.workspace.mount'] !== mount) throw new Error(`asked for mount ${mount}, got ${workspace.labels['aicli.workspace.mount']}`);
  const ends = [...marks.slice(1).map(([, t]) => t), started + total];
  const steps = Object.fromEntries(marks.map(([step, t], i) => [step, ends[i] - t]));
  const removeStarted = performance.now();
  await service.remove(workspace.id);
  return { total, steps, log, remove: performance.now() - removeStarted };
}

/** ABBA alternation of review and bind on one folder. */
async function createSeries(label, folder, loads) {
  const results = { review: [], bind: [] };
  for (let i = 0; i < WARMUP + N && !interrupted; i++) {
    loads.push(await quiet());
    for (const mount of i % 2 === 0 ? ['review', 'bind'] : ['bind', 'review']) {
      if (interrupted) break;
      const run = createOnce(folder, mount);
      inFlight = run;
      const r = await run;
      if (i >= WARMUP) results[mount].push(r);
    }
    if (interrupted) break;
    const last = (mount) => fmt(results[mount].at(-1)?.total ?? NaN);
    console.log(
      i >= WARMUP
        ? `  ${label} #${i - WARMUP + 1}: review ${last('review')}, bind ${last('bind')}  (load ${loads.at(-1).toFixed(2)})`
        : `  ${label} warm-up ${i + 1}`,
    );
  }
  return results;
}

// ---------------------------------------------------------------------------------------
// the listing

/** The 1,000 changes of a layout: what the box runs, and what the listing must say. */
function changePlan(layout) {
  const modified = [];
  const deleted = [];
  const added = [];
  if (layout === 'spread') {
    for (let j = 0; j < 400; j++) modified.push(`${leafDir(j)}/f010.dat`);
    for (let j = 400; j < 700; j++) deleted.push(`${leafDir(j)}/f020.dat`);
    for (let j = 700; j < 1000; j++) added.push(`${leafDir(j)}/new.txt`);
  } else {
    for (let j = 0; j < 20; j++) {
      for (let k = 0; k < 20; k++) modified.push(`${leafDir(j)}/f${three(k)}.dat`);
      for (let k = 20; k < 35; k++) deleted.push(`${leafDir(j)}/f${three(k)}.dat`);
      for (let k = 0; k < 15; k++) added.push(`${leafDir(j)}/new${three(k)}.txt`);
    }
  }
  const script = [
    'set -e',
    ...modified.map((p) => `echo changed >> ${p}`),
    ...added.map((p) => `echo added > ${p}`),
    // one rm per 100 paths: few processes in the box
    ...Array.from({ length: Math.ceil(deleted.length / 100) }, (_, k) => `rm ${deleted.slice(100 * k, 100 * k + 100).join(' ')}`),
  ].join('\n');
  const expected = new Map([...modified.map((p) => [p, 'modified']), ...added.map((p) => [p, 'added']), ...deleted.map((p) => [p, 'deleted'])]);
  if (expected.size !== CHANGED) throw new Error(`the ${layout} plan has ${expected.size} changes, not ${CHANGED}`);
  return { script, expected };
}

function sink() {
  const chunks = [];
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    }),
    text: () => Buffer.concat(chunks).toString(),
  };
}

/** Lines where the listing differs from the plan (empty: exactly the planned 1,000). */
function listingDiff(listed, expected) {
  const got = new Map(listed.map((c) => [c.path, c.kind]));
  const lines = [];
  for (const [path, kind] of expected) if (got.get(path) !== kind) lines.push(`${path}: expected ${kind}, listed ${got.get(path) ?? 'nothing'}`);
  for (const [path, kind] of got) if (!expected.has(path)) lines.push(`${path}: listed ${kind}, not changed by the box`);
  return lines;
}

/** `400 modified, 300 added, 300 deleted` of a list of kinds. */
function byKind(kinds) {
  const counts = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return Object.entries(counts)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

/** The engine's tar of the review volume, drained: what any listing through the reviewer pays first. */
async function floorTar(workspace) {
  const started = performance.now();
  const stream = await floorClient.getContainer(reviewerNameFor(workspace.id)).getArchive({ path: reviewPaths.volume });
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return { ms: performance.now() - started, bytes };
}

const tarStream = require(join(root, 'node_modules', 'tar-stream'));
/** What the upper layer holds by tar entry type (untimed): overlayfs may write whiteouts as hard links to one. */
async function upperCensus(workspace) {
  const stream = await admin.getContainer(reviewerNameFor(workspace.id)).getArchive({ path: reviewPaths.upper });
  const counts = {};
  const extract = tarStream.extract();
  extract.on('entry', (header, entry, next) => {
    const type =
      header.type === 'character-device' && !header.devmajor && !header.devminor ? 'whiteout (char 0:0)' : header.type === 'link' ? 'hard link' : header.type;
    counts[type] = (counts[type] ?? 0) + 1;
    entry.on('end', next);
    entry.resume();
  });
  await new Promise((resolvePromise, reject) => {
    extract.on('finish', resolvePromise);
    extract.on('error', reject);
    stream.pipe(extract);
  });
  return Object.entries(counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}

function runProgram(file, argv) {
  return new Promise((resolvePromise) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const outChunks = [];
    const errChunks = [];
    child.stdout.on('data', (c) => outChunks.push(c));
    child.stderr.on('data', (c) => errChunks.push(c));
    child.once('close', (code) => resolvePromise({ code, stdout: Buffer.concat(outChunks).toString(), stderr: Buffer.concat(errChunks).toString() }));
  });
}
const cliPath = join(root, 'dist', 'cli.js');
const cliDiff = (name) => runProgram(process.execPath, [cliPath, 'diff', name, '--stat']);

/** A review workspace on the big project with 1,000 changes of `layout`; its listing timed. */
async function listingSeries(folder, layout, loads) {
  const { script, expected } = changePlan(layout);
  const { workspace } = await service.create({ folder, mount: 'review', name: `bench-review-${runId}-list-${layout}`, level: 'standard', image: IMAGE });
  const output = { stdout: sink(), stderr: sink() };
  const execStarted = performance.now();
  const code = await service.exec(workspace.id, ['sh', '-c', script], { stdout: output.stdout.stream, stderr: output.stderr.stream });
  const execMs = performance.now() - execStarted;
  if (code !== 0) throw new Error(`the box's change script exited ${code}: ${output.stderr.text().slice(0, 500)}`);
  const census = await upperCensus(workspace);
  // Does the CLI have `diff --stat` yet? One try decides (not timed).
  const probe = await cliDiff(workspace.name);
  // exit 3: there are changes (src/cli/commands/review.ts); 0: none; anything else: no such verb, or an error
  const cliAnswered = (code) => code === 0 || code === 3;
  const cli = cliAnswered(probe.code)
    ? { lines: probe.stdout.trim().split('\n').length }
    : { missing: `exit ${probe.code}: ${(probe.stderr || probe.stdout).trim().split('\n')[0]}` };
  const times = { list: [], floor: [], cli: [] };
  const requests = [];
  let floorBytes = 0;
  let check;
  for (let i = 0; i < WARMUP + N && !interrupted; i++) {
    loads.push(await quiet());
    const log = [];
    calls.current = log;
    phase = 'list';
    const started = performance.now();
    const run = changes.list(workspace);
    inFlight = run;
    const listed = await run;
    const ms = performance.now() - started;
    calls.current = undefined;
    if (!check) {
      const got = new Map(listed.map((c) => [c.path, c.kind]));
      check = {
        lines: listingDiff(listed, expected),
        listed: byKind(listed.map((c) => c.kind)),
        missing: byKind([...expected].filter(([path, kind]) => got.get(path) !== kind).map(([, kind]) => kind)),
        extra: byKind(listed.filter((c) => !expected.has(c.path)).map((c) => c.kind)),
      };
    }
    const floor = await floorTar(workspace);
    floorBytes = floor.bytes;
    let cliMs = NaN;
    if (!cli.missing) {
      const cliStarted = performance.now();
      const result = await cliDiff(workspace.name);
      cliMs = performance.now() - cliStarted;
      if (!cliAnswered(result.code)) throw new Error(`diff --stat exited ${result.code}: ${result.stderr.slice(0, 300)}`);
    }
    if (i >= WARMUP) {
      times.list.push(ms);
      times.floor.push(floor.ms);
      if (!cli.missing) times.cli.push(cliMs);
      requests.push(log);
    }
    console.log(
      `  list ${layout} ${i >= WARMUP ? `#${i - WARMUP + 1}` : 'warm-up'}: list() ${fmt(ms)} (${listed.length} changes, ${log.length} engine requests), ` +
        `tar of the review volume ${fmt(floor.ms)}${cli.missing ? '' : `, CLI diff --stat ${fmt(cliMs)}`}  (load ${loads.at(-1).toFixed(2)})`,
    );
  }
  await service.remove(workspace.id);
  return { layout, execMs, times, requests, check, cli, floorBytes, census };
}

// ---------------------------------------------------------------------------------------
// run

const results = {};
const loads = { create: [], list: [] };
const machine = { before: uptime() };
let failed;
try {
  const before = await sweep();
  if (before.containers || before.networks || before.volumes)
    console.error(`removed leftovers of an earlier run: ${before.containers} container(s), ${before.networks} network(s), ${before.volumes} volume(s)`);
  const info = await admin.info();
  console.log(
    `engine ${target.host}: Docker ${connection.engineVersion.Version}, API ${connection.apiVersion}, ${info.NCPU} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}); ` +
      `N=${N} (+${WARMUP} warm-up) each, review and bind alternated ABBA`,
  );
  console.log(`  ${machine.before}`);
  const small = newFolder('small');
  results.smallProject = generateSmall(small);
  ownAndFlush(small);
  const big = newFolder('big');
  const generated = performance.now();
  results.bigProject = generateBig(big, BIG_FILES, BIG_BYTES);
  ownAndFlush(big);
  results.bigProject.ms = performance.now() - generated;
  const p = results.bigProject;
  console.log(
    `  big project: ${p.files} files in ${LEAVES} leaf directories, ${(p.bytes / 1e6).toFixed(1)} MB (${p.large} large of ${(p.largeEach / 1e6).toFixed(1)} MB), ` +
      `generated, chowned to 1000:1000 and synced in ${(p.ms / 1000).toFixed(1)} s`,
  );
  if (args.section !== 'list') {
    results.small = await createSeries('10 files', small, loads.create);
    if (!interrupted) results.big = await createSeries(`${p.files} files`, big, loads.create);
  }
  if (args.section !== 'create') {
    results.lists = [];
    for (const layout of ['spread', 'clustered']) if (!interrupted) results.lists.push(await listingSeries(big, layout, loads.list));
  }
  machine.after = uptime();
  console.log(`  ${machine.after}`);
} catch (err) {
  failed = err;
} finally {
  await inFlight.catch(() => undefined);
  const swept = await sweep().catch((err) => (console.error(`sweep failed: ${err.message}`), {}));
  if (swept.containers || swept.networks || swept.volumes)
    console.error(`swept ${swept.containers} container(s), ${swept.networks} network(s), ${swept.volumes} volume(s) labelled ${SCRIPT_LABEL}=review`);
  await engine.stop();
}
if (failed) throw failed;
if (interrupted) process.exit(130);

// ---------------------------------------------------------------------------------------
// report

const range = (xs) => (xs.length ? `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}` : '-');
console.log('');
console.log(`1-minute load at the start of each pair / listing round: create ${range(loads.create)}, list ${range(loads.list)} (waited for <= ${MAX_LOAD})`);

function reportCreate(label, series) {
  const totals = (mount) => series[mount].map((r) => r.total);
  const ratio = median(totals('review')) / median(totals('bind'));
  console.log('');
  console.log(`create + start, ${label} (N=${totals('review').length} each; p90 is nearest rank)`);
  for (const mount of ['review', 'bind']) {
    const t = totals(mount);
    const removes = series[mount].map((r) => r.remove);
    console.log(`  ${pad(mount, 7)} median ${fmt(median(t))}, p90 ${fmt(p90(t))} (min ${fmt(Math.min(...t))}); remove median ${fmt(median(removes))}`);
  }
  console.log(`  ratio review / bind (medians) ${ratio.toFixed(2)}x   goal <= 1.2x: ${ratio <= 1.2 ? 'met' : 'MISSED'}`);
  // per step, per engine request
  for (const mount of ['review', 'bind']) {
    const runs = series[mount];
    const steps = [...new Set(runs.flatMap((r) => Object.keys(r.steps)))];
    console.log(`  ${mount}, per step (onStep)   median     engine requests in it (median each, xcount per create)`);
    for (const step of steps) {
      const keys = [...new Set(runs.flatMap((r) => r.log.filter((c) => c.step === step).map((c) => c.key)))];
      const parts = keys.map((key) => {
        const per = runs.map((r) => r.log.filter((c) => c.step === step && c.key === key));
        const count = median(per.map((x) => x.length));
        return `${key} ${fmt(median(per.flatMap((x) => x.map((c) => c.ms))))}${count !== 1 ? ` x${count}` : ''}`;
      });
      console.log(`    ${pad(step, 22)} ${pad(fmt(median(runs.map((r) => r.steps[step] ?? 0))), 10)} ${parts.join('; ') || '-'}`);
    }
    console.log(`    engine requests per create: ${median(runs.map((r) => r.log.length))}`);
  }
  // what review asks of the engine beyond bind, by request kind
  const count = (mount, key) => median(series[mount].map((r) => r.log.filter((c) => c.key === key).length));
  const keys = [...new Set(series.review.flatMap((r) => r.log.map((c) => c.key)))];
  const extra = keys.filter((key) => count('review', key) > count('bind', key));
  const extraMs = median(series.review.map((r) => r.log.filter((c) => extra.includes(c.key) && c.step === 'network').reduce((a, c) => a + c.ms, 0)));
  console.log(
    `  review's extra engine requests: ${extra.map((key) => `${key} x${count('review', key) - count('bind', key)}`).join(', ')}; ` +
      `those in step network (made one after the other) take ${fmt(extraMs)} per create (median of the sums)`,
  );
  return ratio;
}

function reportList(l) {
  console.log('');
  console.log(
    `listing of ${CHANGED} changes among ${results.bigProject.files} files, layout ${l.layout} (N=${l.times.list.length}); the box's change script took ${fmt(l.execMs)}`,
  );
  console.log(`  upper layer, tar entries by type: ${l.census}`);
  const c = l.check;
  console.log(
    c.lines.length
      ? `  CHECK FAILED: the listing is not exactly the ${CHANGED} changes. Listed ${c.listed}; missing ${c.missing || 'none'}; ` +
          `listed but not changed ${c.extra || 'none'}:\n    ${c.lines.slice(0, 6).join('\n    ')}${c.lines.length > 6 ? `\n    … ${c.lines.length - 6} more` : ''}`
      : `  the listing is exactly the ${CHANGED} changes (${c.listed})`,
  );
  const m = median(l.times.list);
  console.log(`  WorkspaceChanges.list()          median ${fmt(m)}, p90 ${fmt(p90(l.times.list))}   goal < 1 s: ${m < 1000 ? 'met' : 'MISSED'}`);
  const keys = [...new Set(l.requests.flat().map((c) => c.key))];
  for (const key of keys) {
    const per = l.requests.map((log) => log.filter((c) => c.key === key));
    console.log(
      `    ${pad(key, 34)} x${median(per.map((x) => x.length))}, median each ${fmt(median(per.flat().map((c) => c.ms)))}, sum ${fmt(median(per.map((x) => x.reduce((a, c) => a + c.ms, 0))))}`,
    );
  }
  console.log(
    `  engine tar of the review volume  median ${fmt(median(l.times.floor))} (${(l.floorBytes / 1e6).toFixed(2)} MB drained; the floor of reading the upper layer this way)`,
  );
  if (l.cli.missing) console.log(`  node dist/cli.js diff NAME --stat: not available (${l.cli.missing})`);
  else {
    const cm = median(l.times.cli);
    console.log(
      `  node dist/cli.js diff NAME --stat median ${fmt(cm)}, p90 ${fmt(p90(l.times.cli))} (${l.cli.lines} lines)   goal < 1 s: ${cm < 1000 ? 'met' : 'MISSED'}`,
    );
  }
}

if (results.small) reportCreate(`${results.smallProject.files} files`, results.small);
if (results.big) reportCreate(`${results.bigProject.files} files / ${(results.bigProject.bytes / 1e6).toFixed(0)} MB`, results.big);
for (const l of results.lists ?? []) reportList(l);
console.log('');
console.log(`before: ${machine.before}`);
console.log(`after:  ${machine.after}`);
