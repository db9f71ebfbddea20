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
    const exec = (command) => api.service.exec(workspace.containerId, command, { stdout: sink(), stderr: sink() });
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
    await api.service.remove(workspace.containerId);
  }
  return results;
}

function cpuOver(seconds) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return sleep(seconds * 1000).then(() => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000 / (performance.now() - started);
  });
}

exports.run = async function run() {
  const results = process.env.AICLI_E2E_RESULTS;
  const folders = [];
  try {
    const api = await vscode.extensions.getExtension('aicli.aicli-workspaces').activate();
    await vscode.workspace.getConfiguration('aicli').update('workspace.labels', { 'aicli.bench': runLabel }, vscode.ConfigurationTarget.Global);
    await api.engine.connection();
    const latency = await latencies(api, folders);
    await sleep(10_000); // settle as long as before the monitored measurement below
    const idleShare = await cpuOver(measureSeconds);
    const created = [];
    for (let i = 0; i < workspaceCount; i++) created.push(await createWorkspace(`monbench-${i}-${process.pid}`, {}, folders));
    const running = (await api.service.list()).filter((w) => w.state === 'running').length;
    await sleep(10_000); // start-up audits and process checks are done; what remains is steady state
    const monitoredShare = await cpuOver(measureSeconds);
    const ticker = api.ticker.text();
    for (const workspace of created) await api.service.remove(workspace.containerId);
    writeFileSync(process.env.AICLI_BENCH_OUT, JSON.stringify({ latency, idleShare, monitoredShare, running, ticker }));
    writeFileSync(results, JSON.stringify({ passed: 1, failed: 0, failures: [] }));
  } catch (err) {
    writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'monitor bench', error: String((err && err.stack) || err) }] }));
    throw err;
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
};
