// Runs inside the extension host (bench/monitor.mjs): the time from a condition in a
// workspace (memory hog, CPU burner, many processes) to its diagnostic in the Problems
// collection, and the extension host's CPU while it monitors 20 running workspaces.
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Writable } = require('node:stream');
const vscode = require('vscode');
const { policyLineOf, policyUri } = require(join(__dirname, '..', 'out', 'src', 'ui', 'monitor', 'policyDocument.js'));

const trials = Number(process.env.AICLI_BENCH_TRIALS ?? 10);
const workspaceCount = Number(process.env.AICLI_BENCH_WORKSPACES ?? 20);
const measureSeconds = Number(process.env.AICLI_BENCH_SECONDS ?? 30);
const runLabel = process.env.AICLI_BENCH_RUN;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** Resolves with the time `check` first holds, looked at on every diagnostics change. */
function whenDiagnostics(uri, check, timeoutMs) {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (!check(vscode.languages.getDiagnostics(uri))) return false;
      const at = performance.now();
      subscription.dispose();
      clearTimeout(timer);
      resolve(at);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) look();
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no diagnostics change within ${timeoutMs} ms for ${uri.toString()}`));
    }, timeoutMs);
    look();
  });
}

// Each condition: how to start it and end it inside the workspace, and the policy line it lands on.
const conditions = {
  memory: {
    resources: { memory: '32m' },
    start: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=28 2>/dev/null'],
    end: ['rm', '-f', '/dev/shm/hog'],
  },
  cpu: {
    resources: { cpus: 1 },
    start: ['sh', '-c', 'while :; do :; done </dev/null >/dev/null 2>&1 & echo $! > /tmp/burner.pid'],
    end: ['sh', '-c', 'kill $(cat /tmp/burner.pid)'],
  },
  pids: {
    resources: { pidsLimit: 100 },
    start: ['sh', '-c', 'for i in $(seq 89); do sleep 601 </dev/null >/dev/null 2>&1 & done'],
    end: ['killall', 'sleep'],
  },
};

async function createWorkspace(name, resources, folders) {
  const folder = mkdtempSync(join(tmpdir(), 'aicli-monbench-'));
  folders.push(folder);
  const workspace = await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name, image: 'aicli/base:latest', level: 'standard', resources });
  if (!workspace) throw new Error(`creating ${name} failed (see the AICLI log)`);
  return workspace;
}

async function latencies(api, folders) {
  const results = {};
  for (const [metric, condition] of Object.entries(conditions)) {
    const workspace = await createWorkspace(`monbench-${metric}-${process.pid}`, condition.resources, folders);
    const uri = policyUri(workspace);
    const line = policyLineOf(metric);
    const alerted = (diagnostics) => diagnostics.some((d) => d.code === 'resource_violation' && d.range.start.line === line);
    const exec = (command) => api.scopes.byName(undefined).service.exec(workspace.containerId, command, { stdout: sink(), stderr: sink() });
    results[metric] = [];
    await sleep(2000); // the stats stream and the start-up process check settle
    for (let trial = 0; trial < trials; trial++) {
      // A random phase against the engine's one-second stats ticks.
      await sleep(Math.random() * 1000);
      const shown = whenDiagnostics(uri, alerted, 30_000);
      const code = await exec(condition.start);
      // The condition holds once the command has returned: the hog has written its memory,
      // the burner and the sleepers have been forked.
      const conditionAt = performance.now();
      if (code !== 0) throw new Error(`${metric}: starting the condition exited ${code}`);
      results[metric].push((await shown) - conditionAt);
      console.log(`${metric} trial ${trial + 1}: diagnostic after ${Math.round(results[metric].at(-1))} ms`);
      const cleared = whenDiagnostics(uri, (diagnostics) => !alerted(diagnostics), 30_000);
      const ended = await exec(condition.end);
      if (ended !== 0) throw new Error(`${metric}: ending the condition exited ${ended}`);
      await cleared;
    }
    await api.scopes.byName(undefined).service.remove(workspace.containerId);
  }
  return results;
}

/** CPU time (ms) of each of this process's threads by name, from /proc/self/task (Linux). */
function threadTimes() {
  const { readdirSync, readFileSync } = require('node:fs');
  const times = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '#');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times[name] = (times[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      // the thread ended meanwhile
    }
  }
  return times;
}

/** With AICLI_BENCH_PROFILE=FILE, a V8 CPU profile and a sampling heap profile of the extension host over one window per variant (for finding what costs). */
async function profiled(measure, suffix) {
  const file = process.env.AICLI_BENCH_PROFILE && `${process.env.AICLI_BENCH_PROFILE}.${suffix}.cpuprofile`;
  if (!file) return measure();
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((done, fail) => session.post(method, params, (err, result) => (err ? fail(err) : done(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const result = await measure();
  const { profile } = await post('Profiler.stop');
  const { profile: heap } = await post('HeapProfiler.stopSampling');
  writeFileSync(file, JSON.stringify(profile));
  // Where the allocations come from (the garbage collector's work): a sampling heap profile of the same window.
  writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(heap));
  session.disconnect();
  return result;
}

/** The share of one core this process used over the next seconds; with `split`, also per thread and user/system (ms). */
function cpuOver(seconds, split) {
  const cpu = process.cpuUsage();
  const threads = threadTimes();
  const started = performance.now();
  return sleep(seconds * 1000).then(() => {
    const used = process.cpuUsage(cpu);
    const share = (used.user + used.system) / 1000 / (performance.now() - started);
    if (split) {
      const after = threadTimes();
      const byThread = Object.fromEntries(
        Object.entries(after)
          .map(([name, ms]) => [name, Math.round(ms - (threads[name] ?? 0))])
          .filter(([, ms]) => ms > 0),
      );
      const hostProcesses = require('node:fs')
        .readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry)).length; // what VS Code's port scanner walks
      split.push({ share, userMs: Math.round(used.user / 1000), systemMs: Math.round(used.system / 1000), hostProcesses, byThread });
    }
    return share;
  });
}

const setHistory = (on) => vscode.workspace.getConfiguration('aicli').update('monitor.history', on, vscode.ConfigurationTarget.Global);
/**
 * VS Code's port-candidate scanner: in a remote window (code-server is one) with
 * remote.autoForwardPorts on and its source `process` (the defaults), the extension host reads every host process's /proc entries and
 * runs `ls -l /proc/[0-9]*\/fd/[0-9]*` and `ps` every 2 s or more. Its cost grows with the
 * host's process count, so any 20 containers raise it, whoever started them; desktop VS Code
 * does not run it. Measured both ways, so our share can be told from VS Code's.
 */
async function setPortScanner(on) {
  const remote = vscode.workspace.getConfiguration('remote');
  // Both: with a tunnel provider registered, the scan runs whatever autoForwardPorts says, unless the source is `output`.
  await remote.update('autoForwardPorts', on ? undefined : false, vscode.ConfigurationTarget.Global);
  await remote.update('autoForwardPortsSource', on ? undefined : 'output', vscode.ConfigurationTarget.Global);
}

/**
 * The extension host's CPU share in each variant, in rounds (A, B, C, A, B, C) against
 * drift; each window after its variant's settings have taken effect (writers opened or
 * closed, the scanner's loop started or ended).
 */
async function alternate(variants, rounds, windowSeconds) {
  const shares = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const splits = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  // A profiled window costs more than it measures, so it is an extra one, not counted.
  if (process.env.AICLI_BENCH_PROFILE)
    for (const [name, apply] of Object.entries(variants)) {
      await apply();
      await sleep(5000);
      await profiled(() => cpuOver(windowSeconds), name);
    }
  for (let round = 0; round < rounds; round++)
    for (const [name, apply] of Object.entries(variants)) {
      await apply();
      await sleep(5000);
      shares[name].push(await cpuOver(windowSeconds, splits[name]));
    }
  await setHistory(undefined);
  await setPortScanner(true);
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  return { shares: Object.fromEntries(Object.entries(shares).map(([name, values]) => [name, mean(values)])), splits };
}

/**
 * Runs `measure` while `count` plain containers run that are not workspaces (no managed label:
 * nothing of ours watches them), like a workspace and its gateway each: the scanner's cost
 * with the same host processes and none of our monitoring.
 */
async function withBystanders(count, measure) {
  const Docker = require(join(__dirname, '..', 'node_modules', 'dockerode'));
  const docker = new Docker({ socketPath: process.env.DOCKER_HOST.replace('unix://', '') });
  const containers = [];
  try {
    for (let i = 0; i < count; i++) {
      const container = await docker.createContainer({
        Image: 'aicli/base:latest',
        Cmd: ['sh', '-c', 'sleep 3600 & sleep 3600 & wait'],
        Labels: { 'aicli.bench': runLabel },
        HostConfig: { Init: true },
      });
      containers.push(container);
      await container.start();
    }
    await sleep(5000);
    return await measure();
  } finally {
    for (const container of containers) await container.remove({ force: true }).catch(() => undefined);
  }
}

const both = (history, scanner) => async () => {
  await setHistory(history);
  await setPortScanner(scanner);
};

/**
 * The extension host's memory before and after its history took 20 workspaces × 1 h of
 * samples, fed faster than real time through the recorder's own path (history.record), in
 * time order as the streams deliver them.
 */
async function historyMemory(history) {
  const workspaces = Array.from({ length: workspaceCount }, (_, i) => ({ id: `monbench-synthetic-${i}-${process.pid}`, name: `synthetic-${i}` }));
  const seconds = 3600;
  const start = Date.now() - seconds * 1000;
  await sleep(5000);
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const fedAt = performance.now();
  for (let second = 0; second < seconds; second++) {
    for (const [index, workspace] of workspaces.entries()) {
      const total = second * (index + 1);
      history.record(workspace, {
        at: start + second * 1000,
        cpuPercent: (second + index) % 100,
        memoryBytes: 2 ** 20 * ((second % 500) + 10),
        memoryLimitBytes: 512 * 2 ** 20,
        pids: (second % 40) + 1,
        netRxBytes: 1500 * total,
        netTxBytes: 700 * total,
        netRxPackets: total,
        netTxPackets: total,
        blockReadBytes: 4096 * total,
        blockWriteBytes: 8192 * total,
      });
    }
    if (second % 100 === 99) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await new Promise((done) => setImmediate(done)); // the host goes on serving while it is fed
    }
  }
  const feedMs = performance.now() - fedAt;
  await sleep(5000);
  const after = process.memoryUsage();
  const stored = workspaces.map((workspace) => history.series(workspace.id, '1h').times.length);
  for (const workspace of workspaces) history.removed(workspace);
  return { before, after, peakRss: Math.max(peakRss, after.rss), feedMs, samples: seconds * workspaces.length, storedSeconds: Math.min(...stored) };
}

exports.run = async function run() {
  const results = process.env.AICLI_E2E_RESULTS;
  const folders = [];
  try {
    const api = await vscode.extensions.getExtension('aicli.aicli-workspaces').activate();
    await vscode.workspace.getConfiguration('aicli').update('workspace.labels', { 'aicli.bench': runLabel }, vscode.ConfigurationTarget.Global);
    await api.scopes.byName(undefined).engine.connection();
    const latency = trials > 0 ? await latencies(api, folders) : {}; // 0 trials: the CPU and memory measurements only
    await sleep(10_000); // settle as long as before the monitored measurement below
    const idle = await alternate({ idleScannerOff: both(true, false), idleScannerOn: both(true, true) }, 2, measureSeconds / 2);
    // The control: as many containers as the workspaces make, none of them ours (not monitored).
    const bystanders = await withBystanders(2 * workspaceCount, () =>
      alternate({ bystandersScannerOff: both(true, false), bystandersScannerOn: both(true, true) }, 1, measureSeconds / 2),
    );
    const created = [];
    for (let i = 0; i < workspaceCount; i++) created.push(await createWorkspace(`monbench-${i}-${process.pid}`, {}, folders));
    const running = (await api.scopes.byName(undefined).service.list()).filter((w) => w.state === 'running').length;
    await sleep(10_000); // start-up audits and process checks are done; what remains is steady state
    const monitored = await alternate(
      { scannerOff: both(true, false), scannerOffHistoryOff: both(false, false), scannerOn: both(true, true) },
      2,
      measureSeconds / 2,
    );
    const recorded = api.metrics.history.recording.length;
    const ticker = api.ticker.text();
    for (const workspace of created) await api.scopes.byName(undefined).service.remove(workspace.containerId);
    const memory = await historyMemory(api.metrics.history);
    writeFileSync(
      process.env.AICLI_BENCH_OUT,
      JSON.stringify({
        latency,
        shares: { ...idle.shares, ...bystanders.shares, ...monitored.shares },
        recorded,
        running,
        ticker,
        memory,
        splits: { ...idle.splits, ...bystanders.splits, ...monitored.splits },
      }),
    );
    writeFileSync(results, JSON.stringify({ passed: 1, failed: 0, failures: [] }));
  } catch (err) {
    writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'monitor bench', error: String((err && err.stack) || err) }] }));
    throw err;
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
};
