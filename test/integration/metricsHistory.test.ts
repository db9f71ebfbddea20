import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { MetricsHistory, SecondSeries } from '../../src/monitor/history/history';
import { metricsHistoryDir } from '../../src/monitor/history/location';
import { StatsReport } from '../../src/monitor/history/report';
import { readConnections } from '../../src/monitor/connections';
import { MetricsStore } from '../../src/monitor/history/store';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { MonitorScope } from '../../src/monitor/scope';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { WorkspaceService } from '../../src/workspace/service';
import { connect, connectedEngine } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { cliPath } from '../support/paths';
import { sweepRun } from '../support/sweep';
import { poll, sleep } from '../support/waits';
import { execIn, testLabel, testRunId, testWorkspaceService } from './support';

const run = promisify(execFile);
const mib = 2 ** 20;
/** Only this file's containers are monitored. */
const suiteLabel = { 'aicli.test.suite': `history-${testRunId}` };

const maxOf = (column: (number | null)[]): number => Math.max(0, ...column.filter((value): value is number => value !== null));

describe('metrics history on the real engine', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let engine: Engine;
  let monitor: SecurityMonitor;
  let history: MetricsHistory;
  let service: WorkspaceService;
  const stateDir = mkdtempSync(join(tmpdir(), 'aicli-state-'));
  const dir = metricsHistoryDir({ AICLI_STATE_DIR: stateDir });
  const folders: string[] = [];
  const cliEnv = { ...process.env, AICLI_STATE_DIR: stateDir };
  const cliStats = async (name: string): Promise<StatsReport> =>
    JSON.parse((await run('node', [cliPath, 'stats', name, '--json'], { env: cliEnv })).stdout) as StatsReport;

  before(async () => {
    connection = await connect();
    engine = await connectedEngine();
    service = testWorkspaceService({ labels: { ...testLabel, ...suiteLabel } });
    monitor = new SecurityMonitor(engine, { settings: () => ({ ...defaultMonitorSettings, processChecks: false }), scope: new MonitorScope(suiteLabel) });
    history = new MetricsHistory({ dir, retryMs: 0 });
    history.attach(monitor.stats);
    await monitor.ready();
  });
  after(async () => {
    history?.dispose();
    monitor?.dispose();
    engine?.dispose();
    if (connection) await sweepRun(connection.docker, testRunId);
    [...folders, stateDir].forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it('a CPU burner, a memory hog and a 50 MB write are in the history within 2 s, for a fresh reader and for aicli-ws stats', async () => {
    const folder = makeProjectFolder();
    folders.push(folder);
    const { workspace } = await service.create({ folder, name: `history-${process.pid}`, resources: { memory: '512m', cpus: '1' } });
    await poll('the workspace recorded', 10_000, () => history.recording.includes(workspace.id) || undefined);

    // busybox tail keeps the one endless line in memory until its input ends, 60 s later; the
    // exec returns once the box's cgroup holds the 200 MiB (v2 file, else v1's).
    const hog = [
      '((head -c 200m /dev/zero; sleep 60) | tail >/dev/null) >/dev/null 2>&1 &',
      'f=/sys/fs/cgroup/memory.current; [ -f $f ] || f=/sys/fs/cgroup/memory/memory.usage_in_bytes',
      'while [ $(cat $f) -lt 209715200 ]; do sleep 0.05; done',
    ];
    assert.equal((await execIn(service, workspace.name, ['sh', '-c', hog.join('\n')])).code, 0);
    await execIn(service, workspace.name, ['sh', '-c', '(while :; do :; done) >/dev/null 2>&1 &']);
    const written = await execIn(service, workspace.name, ['dd', 'if=/dev/zero', 'of=/workspace/f', 'bs=1M', 'count=50', 'conv=fsync']);
    assert.equal(written.code, 0, written.stderr);
    const conditionMs = Date.now();

    const reader = new MetricsStore({ dir });
    let last = {};
    const inHistory = poll('CPU, memory and the write in the history', 2000, () => {
      const series = reader.series(workspace.id, '1h') as SecondSeries;
      const latest = reader.latest(workspace.id);
      const values = { cpu: maxOf(series.values.cpuPercent), memory: maxOf(series.values.memoryBytes), written: latest?.blockWriteBytes ?? 0 };
      last = { ...values, samples: series.times.length };
      return values.cpu > 20 && values.memory > 190 * mib && values.written >= 50 * mib ? values : undefined;
    });
    const seen = await inHistory.catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${JSON.stringify(last)}`);
    });
    console.log(
      `      in the history ${Date.now() - conditionMs} ms after the write: CPU ${seen.cpu.toFixed(0)} %, memory ${(seen.memory / mib).toFixed(0)} MiB, written ${(seen.written / mib).toFixed(1)} MiB`,
    );

    // As after a reload: a new MetricsHistory on the same folder reads the same, the rate of the write included.
    const reloaded = new MetricsHistory({ dir, enabled: false });
    const series = reloaded.series(workspace.id, '1h') as SecondSeries;
    assert.ok(maxOf(series.values.blockWriteBytesPerSecond) > 10 * mib, 'the write shows as a rate');
    assert.ok(maxOf(series.values.memoryBytes) > 190 * mib);
    assert.ok(maxOf(series.values.memoryLimitBytes) === 512 * mib);
    const day = reloaded.series(workspace.id, '24h');
    assert.ok(day.resolution === 'minute' && maxOf(day.max.cpuPercent) > 20, 'the current minute is downsampled already');
    reloaded.dispose();

    // An extension reload: the window's history goes (its locks released) and a new one on the
    // same folder takes the workspace over and goes on writing after what the first one wrote.
    const before = series.times[series.times.length - 1] ?? 0;
    history.dispose();
    history = new MetricsHistory({ dir, retryMs: 0 });
    history.attach(monitor.stats);
    await poll('the new window records the workspace', 10_000, () => history.recording.includes(workspace.id) || undefined);
    await poll('samples after the reload', 5000, () => (reader.latest(workspace.id)?.at ?? 0) > before + 1000 || undefined);
    const across = reader.series(workspace.id, '1h') as SecondSeries;
    assert.ok(across.times.filter((at) => at <= before).length >= series.times.length - 1, 'what the first window wrote is still there');
    assert.ok(maxOf(across.values.cpuPercent.slice(-3)) > 20, 'the new window records the burner');

    const report = await cliStats(workspace.name);
    assert.equal(report.workspace.id, workspace.id);
    assert.equal(report.latest?.source, 'history');
    assert.ok((report.latest?.blockWriteBytes ?? 0) >= 50 * mib);
    assert.ok(report.series.resolution === 'second' && maxOf(report.series.values.cpuPercent) > 20);
    assert.ok((report.summary.memoryBytes?.max ?? 0) > 190 * mib);

    // Not recorded any more (VS Code closed): the latest sample comes from the engine, the history stays.
    history.setEnabled(false);
    await sleep(3200);
    const fromEngine = await cliStats(workspace.name);
    assert.equal(fromEngine.latest?.source, 'engine');
    assert.ok((fromEngine.latest?.cpuPercent ?? 0) > 20, `CPU from the engine: ${fromEngine.latest?.cpuPercent}`);
    assert.ok(fromEngine.series.times.length > 0);
    history.setEnabled(true);

    // Removed: the history is marked and still found by name.
    await service.remove(workspace.name);
    await poll('the history marked removed', 10_000, () => reader.find(workspace.id)?.removedAt);
    const removed = await cliStats(workspace.name);
    assert.equal(removed.workspace.state, 'removed');
    assert.ok(removed.series.times.length > 0);
    const human = (await run('node', [cliPath, 'stats', workspace.name], { env: cliEnv })).stdout;
    assert.match(human, /block write\s+\d/);
    console.log(human.replace(/^/gm, '      '));
  });

  it('counts the connections in the box now, for aicli-ws stats, by one exec that is not a session', async () => {
    const folder = makeProjectFolder();
    folders.push(folder);
    const { workspace } = await service.create({ folder, name: `conns-${process.pid}`, resources: { memory: '256m' } });
    // The engine's DNS resolver (127.0.0.11 on a user-defined network) listens in the box itself: one TCP listener, one UDP socket.
    const baseline = await readConnections(connection, workspace.containerId);
    assert.equal(baseline.established, 0);
    // Three loopback connections (six sockets: both ends) and one listener nobody connects to.
    const script = [
      // Each nc's stdin stays open (busybox nc ends its connection at end of input).
      'for p in 9001 9002 9003; do (sleep 120 | nc -l -p $p >/dev/null 2>&1 &); done',
      '(sleep 120 | nc -l -p 9100 >/dev/null 2>&1 &)',
      'sleep 0.3',
      'for p in 9001 9002 9003; do (sleep 120 | nc 127.0.0.1 $p >/dev/null 2>&1 &) ; done',
      'sleep 0.3',
    ];
    assert.equal((await execIn(service, workspace.name, ['sh', '-c', script.join('\n')])).code, 0);
    let seen = {};
    const counts = await poll('six established sockets and one listener', 5000, async () => {
      const counted = await readConnections(connection, workspace.containerId);
      seen = counted;
      return counted.established === 6 && counted.listening === baseline.listening + 1 ? counted : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last counted ${JSON.stringify(seen)}`);
    });
    assert.equal(counts.transient, 0);

    const report = await cliStats(workspace.name);
    assert.equal(report.connections?.established, 6);
    assert.equal(report.connections?.listening, baseline.listening + 1);
    const human = (await run('node', [cliPath, 'stats', workspace.name], { env: cliEnv })).stdout;
    assert.match(human, new RegExp(`^connections now: 6 established, ${baseline.listening + 1} listening, 0 opening or closing; ${baseline.udp} UDP$`, 'm'));

    // Positive control: the connections end, the count follows.
    await execIn(service, workspace.name, ['sh', '-c', 'killall nc sleep 2>/dev/null; true']);
    await poll('no connection left', 5000, async () => ((await readConnections(connection, workspace.containerId)).established === 0 ? true : undefined));

    // What one count costs (an exec in the box), for bench/RESULTS.md.
    const timings: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await readConnections(connection, workspace.containerId);
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    console.log(`      one connection count: median ${timings[5].toFixed(1)} ms (min ${timings[0].toFixed(1)}, max ${timings[9].toFixed(1)})`);

    // A stopped workspace has no connections to count: the report says none rather than failing.
    await service.lifecycle(workspace.name, 'stop');
    assert.equal((await cliStats(workspace.name)).connections, null);
    await service.remove(workspace.name);
  });
});
