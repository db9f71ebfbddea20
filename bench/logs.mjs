// bench/logs: lines/s through our follow path (LogFollower: demux, timestamps, dedupe) vs
// `docker logs -f` and raw dockerode following the same container in the same run, plus the
// CPU our path uses in its process (the code the extension host runs).
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ensureEngine } from '../scripts/engine.mjs';
import { runBenchSuite } from './hostSuite.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const lineCount = Number(process.argv[2] ?? 300_000);
const rounds = 3;

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const engineHandle = await ensureEngine({ log: () => {} });
const Docker = require('dockerode');
const { Engine } = require(join(root, 'out', 'src', 'engine', 'engine.js'));
const { LogFollower } = require(join(root, 'out', 'src', 'engine', 'logs.js'));
const { resolveEngineTarget, defaultEngineSettings } = require(join(root, 'out', 'src', 'engine', 'target.js'));
const docker = new Docker({ socketPath: engineHandle.host.replace('unix://', '') });
const engine = new Engine(() => resolveEngineTarget(defaultEngineSettings, process.env, process.env.HOME));
engine.start();
await engine.connection();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function oursOnce(id) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let count = 0;
  await new Promise((done) => {
    const follower = new LogFollower(engine, id, {
      tail: lineCount + 10,
      onLines: (lines) => {
        count += lines.length;
        if (count >= lineCount) {
          follower.dispose();
          done();
        }
      },
      onEnd: () => {},
    });
    follower.start();
  });
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function rawOnce(id) {
  const started = performance.now();
  const stream = await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true, tail: lineCount + 10 });
  let count = 0;
  await new Promise((done) => {
    const out = {
      write: (chunk) => {
        for (const byte of chunk) if (byte === 10) count++;
        if (count >= lineCount) {
          stream.destroy();
          done();
        }
      },
    };
    docker.modem.demuxStream(stream, out, out);
  });
  return { seconds: (performance.now() - started) / 1000 };
}

async function cliOnce(id) {
  // `docker logs -f` never ends on a running container: count its lines and stop it at N.
  const started = performance.now();
  await new Promise((done, fail) => {
    const child = spawn('docker', ['logs', '-f', '--tail', String(lineCount + 10), id], {
      env: { ...process.env, DOCKER_HOST: engineHandle.host },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let count = 0;
    child.stdout.on('data', (chunk) => {
      for (const byte of chunk) if (byte === 10) count++;
      if (count >= lineCount) {
        child.kill();
        done();
      }
    });
    child.on('exit', (code) => count < lineCount && fail(new Error(`docker logs exited ${code} after ${count} lines`)));
  });
  return { seconds: (performance.now() - started) / 1000 };
}

/** The same follow, through "Show Logs" in a real VS Code (code-server), with its CPU. */
function inExtensionHost() {
  return runBenchSuite('logs-host-suite.js', { env: { AICLI_BENCH_LINES: String(lineCount) } });
}

const container = await docker.createContainer({
  Image: 'aicli/base:latest',
  Cmd: ['sh', '-c', `seq 1 ${lineCount}; sleep 3600`],
  Labels: { 'aicli.bench': 'true' },
  HostConfig: { Init: true },
});
try {
  await container.start();
  // Let the container finish printing so every reader reads the same finished log.
  await new Promise((done) => setTimeout(done, 2000));
  const results = { ours: [], raw: [], cli: [], cpu: [] };
  for (let round = 0; round < rounds; round++) {
    const ours = await oursOnce(container.id);
    results.ours.push(lineCount / ours.seconds);
    results.cpu.push(ours.cpuSeconds);
    results.raw.push(lineCount / (await rawOnce(container.id)).seconds);
    results.cli.push(lineCount / (await cliOnce(container.id)).seconds);
  }
  const k = (value) => `${Math.round(value / 1000)} k lines/s`;
  console.log(`${lineCount} lines, median of ${rounds} rounds`);
  console.log(`ours (LogFollower, timestamps + dedupe)  ${k(median(results.ours))}, CPU ${median(results.cpu).toFixed(2)} s per run in our process`);
  console.log(`raw dockerode (demuxStream, no parsing)  ${k(median(results.raw))}`);
  console.log(`docker logs -f (lines counted)           ${k(median(results.cli))}`);
  console.log(`ratio ours / CLI                         ${(median(results.ours) / median(results.cli)).toFixed(2)}x (goal >= 1.2x)`);
  console.log(`ratio ours / raw dockerode               ${(median(results.ours) / median(results.raw)).toFixed(2)}x`);
  const host = await inExtensionHost();
  console.log(`in the extension host: Show Logs → ${lineCount} lines in the channel in ${host.seconds.toFixed(2)} s (${k(lineCount / host.seconds)}),`);
  console.log(`  extension-host CPU ${host.cpuSeconds.toFixed(2)} s = ${((100 * host.cpuSeconds) / host.seconds).toFixed(0)}% of one core while following`);
} finally {
  await container.remove({ force: true });
  engine.dispose();
  await engineHandle.stop();
}
