// bench/exec: interactive TTY exec through our session (openInteractiveExec) vs `docker exec -it`
// (the docker CLI under a pty from util-linux `script`) vs raw dockerode, in one run against one
// container: time to the first prompt byte, keystroke echo round trip, and 100 MB of output.
// The order of the modes rotates from round to round so none always follows the same one;
// medians are reported. Run: `node bench/exec.mjs` (starts or reuses the private engine).
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ensureEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const { EngineConnection } = require(join(root, 'out', 'src', 'engine', 'connection.js'));
const { defaultEngineSettings, resolveEngineTarget } = require(join(root, 'out', 'src', 'engine', 'target.js'));
const { openInteractiveExec } = require(join(root, 'out', 'src', 'engine', 'interactiveExec.js'));

const rounds = { firstByte: 16, echoKeys: 200, throughput: 4 };
const throughputBytes = 100_000_000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
// A collection before each run, so one mode's garbage (100 MB of decoded strings) is not
// collected during the next mode's run.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');
const settle = async () => {
  collectGarbage();
  await sleep(200);
};
/** The modes in a different order each round: whoever runs right after another pays for its cleanup. */
const rotated = (entries, round) => entries.map((_, i) => entries[(i + round) % entries.length]);

/** One interactive process, whatever drives it: first-byte time, writes, data, end. */
function driver(start, write, onData, onEnd) {
  return { start, write, onData, onEnd };
}

/** Our session; `decode` adds what the Pseudoterminal does with every chunk (UTF-8 to string). */
function ours(connection, id, cmd, decode = false) {
  const started = performance.now();
  const session = openInteractiveExec(connection, id, { cmd, rows: 24, cols: 80 });
  const decoder = new StringDecoder('utf8');
  return driver(
    started,
    (bytes) => session.write(bytes),
    (listener) =>
      session.onData((chunk) => {
        if (decode) decoder.write(chunk);
        listener(chunk.length);
      }),
    (listener) => session.onExit(() => listener()),
  );
}

function raw(connection, id, cmd) {
  const started = performance.now();
  const dataListeners = [];
  const endListeners = [];
  const pending = [];
  let stream;
  (async () => {
    const exec = await connection.docker
      .getContainer(id)
      .exec({ Cmd: cmd, Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, WorkingDir: '/workspace' });
    stream = await connection.untimed.getExec(exec.id).start({ hijack: true, stdin: true, Tty: true });
    stream.on('data', (chunk) => dataListeners.forEach((listener) => listener(chunk.length)));
    stream.once('close', () => endListeners.forEach((listener) => listener()));
    pending.splice(0).forEach((bytes) => stream.write(bytes));
    await exec.resize({ h: 24, w: 80 }).catch(() => undefined); // a process that already exited cannot be resized
  })();
  return driver(
    started,
    (bytes) => (stream ? stream.write(bytes) : pending.push(bytes)),
    (listener) => dataListeners.push(listener),
    (listener) => endListeners.push(listener),
  );
}

function cli(host, id, cmd) {
  const started = performance.now();
  // -f: flush every write, as a terminal would see it; without it `script` batches output.
  const child = spawn('script', ['-qfec', `docker exec -it ${id} ${cmd.join(' ')}`, '/dev/null'], {
    env: { ...process.env, DOCKER_HOST: host },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return driver(
    started,
    (bytes) => child.stdin.write(bytes),
    (listener) => child.stdout.on('data', (chunk) => listener(chunk.length)),
    (listener) => child.once('close', () => listener()),
  );
}

function firstByteMs(run) {
  return new Promise((done) => {
    let seen = false;
    run.onData(() => {
      if (seen) return;
      seen = true;
      done(performance.now() - run.start);
    });
  });
}

const ended = (run) => new Promise((done) => run.onEnd(done));

/**
 * One shell per mode, open side by side; each keystroke goes to every mode in turn (so load
 * spikes hit all of them alike) and is timed until its echo arrives.
 */
async function echoRoundTrips(runs) {
  const waiting = {};
  for (const [name, run] of Object.entries(runs)) run.onData(() => waiting[name]?.());
  await Promise.all(Object.values(runs).map(firstByteMs));
  await sleep(400);
  const times = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let i = 0; i < rounds.echoKeys; i++) {
    for (const [name, run] of Object.entries(runs)) {
      const echoed = new Promise((done) => (waiting[name] = done));
      const sent = performance.now();
      run.write(Buffer.from(i % 2 ? '\x7f' : 'x')); // type and erase, so the line never wraps
      await echoed;
      times[name].push(performance.now() - sent);
      waiting[name] = undefined;
      await sleep(5);
    }
  }
  await Promise.all(
    Object.values(runs).map((run) => {
      run.write(Buffer.from('\x15exit\r'));
      return ended(run);
    }),
  );
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

/** Bytes over the time from opening to the last byte (process teardown after it is not data rate). */
async function throughput(run) {
  let bytes = 0;
  let lastByteAt = run.start;
  run.onData((length) => {
    bytes += length;
    lastByteAt = performance.now();
  });
  await ended(run);
  return { bytes, mbPerS: bytes / 1e6 / ((lastByteAt - run.start) / 1000) };
}

const engine = await ensureEngine({ log: () => {} });
const connection = await EngineConnection.connect(resolveEngineTarget({ ...defaultEngineSettings, host: engine.host }, process.env, ''));
const container = await connection.untimed.createContainer({
  Image: 'aicli/base:latest',
  Cmd: ['sh'],
  Tty: true,
  OpenStdin: true,
  WorkingDir: '/workspace',
  Labels: { 'aicli.bench': 'exec', 'aicli.test': 'true' },
  HostConfig: { Init: true },
});
const modes = {
  ours: (cmd) => ours(connection, container.id, cmd),
  raw: (cmd) => raw(connection, container.id, cmd),
  cli: (cmd) => cli(engine.host, container.id, cmd),
};
try {
  await container.start();
  // Warm every path once (page cache for the docker binary, engine exec paths).
  for (const open of Object.values(modes)) {
    const run = open(['sh', '-c', 'true']);
    await ended(run);
  }
  const first = { ours: [], raw: [], cli: [] };
  for (let i = 0; i < rounds.firstByte; i++) {
    for (const [name, open] of rotated(Object.entries(modes), i)) {
      await settle();
      const run = open(['sh']);
      first[name].push(await firstByteMs(run));
      run.write(Buffer.from('exit\r'));
      await ended(run);
    }
  }
  await settle();
  const echo = await echoRoundTrips(Object.fromEntries(Object.entries(modes).map(([name, open]) => [name, open(['sh'])])));
  const rates = { ours: [], oursDecoded: [], raw: [], cli: [] };
  const received = {};
  const throughputModes = { ...modes, oursDecoded: (cmd) => ours(connection, container.id, cmd, true) };
  for (let i = 0; i < rounds.throughput; i++) {
    for (const [name, open] of rotated(Object.entries(throughputModes), i)) {
      await settle();
      const result = await throughput(open(['head', '-c', String(throughputBytes), '/dev/zero']));
      rates[name].push(result.mbPerS);
      received[name] = result.bytes;
    }
  }

  const f = Object.fromEntries(Object.entries(first).map(([name, values]) => [name, median(values)]));
  const t = Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, median(values)]));
  const ms = (value) => `${value.toFixed(1)} ms`;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  console.log(
    `engine ${connection.engineVersion.Version} (API ${connection.apiVersion}), docker CLI ${execFileSync('docker', ['--version']).toString().trim()}`,
  );
  console.log(`first prompt byte (median of ${rounds.firstByte})  ours ${ms(f.ours)}  raw dockerode ${ms(f.raw)}  docker exec -it ${ms(f.cli)}`);
  console.log(`  ours / CLI ${(f.ours / f.cli).toFixed(2)}x (goal <= 0.85: ${verdict(f.ours / f.cli <= 0.85)}), ours / raw ${(f.ours / f.raw).toFixed(2)}x`);
  console.log(`keystroke echo (median of ${rounds.echoKeys})  ours ${ms(echo.ours)}  raw dockerode ${ms(echo.raw)}  docker exec -it ${ms(echo.cli)}`);
  console.log(
    `  ours / raw ${(echo.ours / echo.raw).toFixed(2)}x (goal <= 1.2: ${verdict(echo.ours / echo.raw <= 1.2)}), ours / CLI ${(echo.ours / echo.cli).toFixed(2)}x`,
  );
  console.log(
    `100 MB through the TTY (median of ${rounds.throughput})  ours ${t.ours.toFixed(0)} MB/s  raw dockerode ${t.raw.toFixed(0)} MB/s  docker exec -it ${t.cli.toFixed(0)} MB/s`,
  );
  console.log(`  ours / CLI ${(t.ours / t.cli).toFixed(2)}x (goal >= 1: ${verdict(t.ours / t.cli >= 1)}), ours / raw ${(t.ours / t.raw).toFixed(2)}x`);
  console.log(
    `  ours + UTF-8 decode (the Pseudoterminal's path) ${t.oursDecoded.toFixed(0)} MB/s: / CLI ${(t.oursDecoded / t.cli).toFixed(2)}x, / raw ${(t.oursDecoded / t.raw).toFixed(2)}x`,
  );
  console.log(
    `  every run, MB/s: ${Object.entries(rates)
      .map(([name, values]) => `${name} ${values.map((v) => v.toFixed(0)).join('/')}`)
      .join(', ')}`,
  );
  console.log(`  bytes received: ours ${received.ours}, raw ${received.raw}, CLI ${received.cli} (sent ${throughputBytes})`);
} finally {
  await container.remove({ force: true });
  await engine.stop();
}
