// bench/monitor: in a real VS Code (code-server), the time from a condition in a workspace to
// its diagnostic (p50/p95 per metric), and the extension host's CPU while it monitors N
// running workspaces. Baseline, same run: a plain Node process holding the same N streaming
// stats subscriptions through raw dockerode and parsing every sample (the least any monitor
// has to do), so the ratio shows what our monitoring adds on top of reading the stats.
//   node bench/monitor.mjs [trials=10] [workspaces=20] [seconds=30]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ensureEngine } from '../scripts/engine.mjs';
import { runBenchSuite } from './hostSuite.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const [trials = 10, workspaceCount = 20, seconds = 30] = process.argv.slice(2).map(Number);
const runLabel = `monitor-${process.pid}`;

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const engineHandle = await ensureEngine({ log: () => {} });
process.env.DOCKER_HOST = engineHandle.host;
const Docker = require('dockerode');
const docker = new Docker({ socketPath: engineHandle.host.replace('unix://', '') });
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const labelFilter = JSON.stringify({ label: [`aicli.bench=${runLabel}`] });

async function sweep() {
  for (const row of await docker.listContainers({ all: true, filters: labelFilter }))
    await docker
      .getContainer(row.Id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const row of await docker.listNetworks({ filters: labelFilter }))
    await docker
      .getNetwork(row.Id)
      .remove()
      .catch(() => undefined);
}

/** N containers like idle workspaces, each with a streaming stats subscription read and parsed. */
async function rawBaseline() {
  const containers = [];
  for (let i = 0; i < workspaceCount; i++) {
    const container = await docker.createContainer({
      Image: 'aicli/base:latest',
      Cmd: ['sleep', '3600'],
      Labels: { 'aicli.bench': runLabel },
      HostConfig: { Init: true, NanoCpus: 1e9, Memory: 512 * 2 ** 20, PidsLimit: 100 },
    });
    await container.start();
    containers.push(container);
  }
  let samples = 0;
  const streams = [];
  for (const container of containers) {
    const stream = await container.stats({ stream: true });
    let pending = '';
    stream.on('data', (chunk) => {
      pending += chunk.toString();
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const sample = JSON.parse(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        const cpu = sample.cpu_stats.cpu_usage.total_usage - sample.precpu_stats.cpu_usage.total_usage;
        if (Number.isFinite(cpu) && sample.memory_stats.usage >= 0) samples++;
      }
    });
    streams.push(stream);
  }
  await sleep(10_000);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const before = samples;
  await sleep(seconds * 1000);
  const used = process.cpuUsage(cpu);
  const share = (used.user + used.system) / 1000 / (performance.now() - started);
  const rate = (samples - before) / seconds;
  for (const stream of streams) stream.destroy();
  return { share, rate };
}

function inExtensionHost() {
  return runBenchSuite('monitor-host-suite.js', {
    env: {
      AICLI_BENCH_RUN: runLabel,
      AICLI_BENCH_TRIALS: String(trials),
      AICLI_BENCH_WORKSPACES: String(workspaceCount),
      AICLI_BENCH_SECONDS: String(seconds),
    },
    timeoutMs: 1_200_000,
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const pct = (share) => `${(100 * share).toFixed(2)}%`;

try {
  const raw = await rawBaseline();
  await sweep();
  const host = await inExtensionHost();
  const all = [];
  if (trials > 0) console.log(`\ncondition → diagnostic, ${trials} trials each (nearest-rank percentiles), goal p95 < 2 s:`);
  for (const [metric, values] of Object.entries(host.latency)) {
    all.push(...values);
    console.log(
      `  ${metric.padEnd(7)} p50 ${Math.round(percentile(values, 50))} ms, p95 ${Math.round(percentile(values, 95))} ms (min ${Math.round(Math.min(...values))}, max ${Math.round(Math.max(...values))})`,
    );
  }
  if (trials > 0) console.log(`  all     p50 ${Math.round(percentile(all, 50))} ms, p95 ${Math.round(percentile(all, 95))} ms`);
  const { shares } = host;
  const added = shares.scannerOff - shares.idleScannerOff;
  const addedWithScanner = shares.scannerOn - shares.idleScannerOn;
  console.log(`\nextension-host CPU, windows of ${seconds / 2} s alternated, goal < 2% of one core added with ${workspaceCount} workspaces:`);
  console.log(`  (VS Code's port scanner = remote.autoForwardPorts of a remote window; desktop VS Code has none)`);
  console.log(`  idle (no workspaces), port scanner off        ${pct(shares.idleScannerOff)}`);
  console.log(`  ${host.running} running workspaces, scanner off, history on ${pct(shares.scannerOff)} (${host.recorded} recorded; ticker: "${host.ticker}")`);
  console.log(
    `  the same, history off                         ${pct(shares.scannerOffHistoryOff)} (history adds ${pct(shares.scannerOff - shares.scannerOffHistoryOff)})`,
  );
  console.log(`  added by monitoring, scanner off (ours)       ${pct(added)}`);
  console.log(`  idle, port scanner on (code-server default)   ${pct(shares.idleScannerOn)}`);
  console.log(`  ${2 * workspaceCount} plain containers, not ours, scanner off      ${pct(shares.bystandersScannerOff)} (the control)`);
  console.log(`  ${2 * workspaceCount} plain containers, not ours, scanner on       ${pct(shares.bystandersScannerOn)}`);
  console.log(`  ${host.running} running workspaces, scanner on, history on  ${pct(shares.scannerOn)}`);
  console.log(`  added with the scanner on                     ${pct(addedWithScanner)} (the scanner's part: ${pct(addedWithScanner - added)})`);
  console.log(`  raw dockerode, ${workspaceCount} stats streams parsed      ${pct(raw.share)} (${raw.rate.toFixed(1)} samples/s)`);
  console.log(`  ratio added (scanner off) / raw               ${(added / raw.share).toFixed(2)}x`);
  // Where the time goes (ms over each measured window): user/system and the process's threads.
  for (const [phase, windows] of Object.entries(host.splits ?? {}))
    for (const w of windows)
      console.log(
        `  ${phase.padEnd(20)} ${pct(w.share)}: user ${w.userMs} ms, system ${w.systemMs} ms; ${w.hostProcesses} host processes; threads ${JSON.stringify(w.byThread)}`,
      );
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const { memory } = host;
  console.log(
    `\nextension-host memory, ${memory.samples} samples fed (${workspaceCount} workspaces × 1 h) in ${Math.round(memory.feedMs)} ms, goal growth < 30 MB:`,
  );
  console.log(
    `  rss      ${mib(memory.before.rss)} → ${mib(memory.after.rss)} (growth ${mib(memory.after.rss - memory.before.rss)}, peak ${mib(memory.peakRss)})`,
  );
  console.log(`  heapUsed ${mib(memory.before.heapUsed)} → ${mib(memory.after.heapUsed)} (growth ${mib(memory.after.heapUsed - memory.before.heapUsed)})`);
  console.log(`  external ${mib(memory.before.external)} → ${mib(memory.after.external)}; seconds stored per workspace ≥ ${memory.storedSeconds}`);
} finally {
  await sweep();
  await engineHandle.stop();
}
