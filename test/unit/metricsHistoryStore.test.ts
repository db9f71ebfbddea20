import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Emitter } from '../../src/engine/emitter';
import { historyFileBytes } from '../../src/monitor/history/format';
import { MetricsHistory } from '../../src/monitor/history/history';
import { SecondSeries } from '../../src/monitor/history/query';
import { metricsHistoryDir } from '../../src/monitor/history/location';
import { historySample } from '../../src/monitor/history/recorder';
import { formatStatsReport, latestJson, statsReport } from '../../src/monitor/history/report';
import { MetricsStore } from '../../src/monitor/history/store';
import { MonitoredWorkspace } from '../../src/monitor/scope';
import { statsSnapshot } from '../../src/monitor/stats';
import { SubscriptionChange, WorkspaceStats } from '../../src/monitor/statsStream';
import { recordingLog, syntheticSample, temporaryMetricsDir } from '../support/metricsHistory';

const ws = { id: 'f00dfeed01', name: 'store-test' };
const now = Date.now();
const feed = (history: MetricsHistory, count: number, values: Parameters<typeof syntheticSample>[1] = {}, from = now - count * 1000): void => {
  for (let second = 0; second < count; second++) history.record(ws, syntheticSample(from + second * 1000, values));
};
const cpuOf = (store: { series: MetricsHistory['series'] }): (number | null)[] => (store.series(ws.id, '1h') as SecondSeries).values.cpuPercent;

/** A pid no process has: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

describe('metrics history: one writer, many readers', () => {
  const folder = temporaryMetricsDir();
  const opened: MetricsHistory[] = [];
  const open = (options: ConstructorParameters<typeof MetricsHistory>[0] = {}): MetricsHistory => {
    const history = new MetricsHistory({ dir: folder.dir, retryMs: 0, ...options });
    opened.push(history);
    return history;
  };
  afterEach(() => opened.splice(0).forEach((history) => history.dispose()));

  it('a reader (another process, or the window after a reload) sees what the writer wrote', () => {
    const writer = open();
    feed(writer, 5, { cpuPercent: 42, netRxBytes: 1000 });
    const reader = new MetricsStore({ dir: folder.dir });
    assert.deepEqual(cpuOf(reader), [42, 42, 42, 42, 42]);
    assert.equal(reader.latest(ws.id)?.cpuPercent, 42);
    assert.equal(reader.find('store-test')?.workspaceId, ws.id);
    assert.equal(reader.find(ws.id)?.name, 'store-test');
    writer.dispose();
    // After a reload: a new writer goes on from the stored samples (rates across the reload too).
    const reloaded = open();
    reloaded.record(ws, syntheticSample(now, { cpuPercent: 7, netRxBytes: 3000 }));
    const series = reloaded.series(ws.id, '1h') as SecondSeries;
    assert.deepEqual(series.values.cpuPercent, [42, 42, 42, 42, 42, 7]);
    assert.equal(series.values.netRxBytesPerSecond.at(-1), 2000);
  });

  it('a second writer is refused while the first holds the lock, and takes over when it lets go', () => {
    const log = recordingLog();
    const first = open();
    const second = open({ log });
    feed(first, 3, { cpuPercent: 1 }, now - 10_000);
    feed(second, 3, { cpuPercent: 2 }, now - 6000);
    assert.deepEqual(first.recording, [ws.id]);
    assert.deepEqual(second.recording, []);
    assert.deepEqual(cpuOf(first), [1, 1, 1]);
    const lock = JSON.parse(readFileSync(join(folder.dir, `${ws.id}.lock`), 'utf8')) as { pid: number; host: string };
    assert.deepEqual([lock.pid, lock.host], [process.pid, hostname()]);
    assert.equal(log.lines.filter((line) => line.message.includes('writes it')).length, 1, 'refused once in the log, not per sample');
    first.dispose();
    assert.equal(existsSync(join(folder.dir, `${ws.id}.lock`)), false, 'dispose releases the lock');
    feed(second, 2, { cpuPercent: 2 }, now - 2000);
    assert.deepEqual(second.recording, [ws.id]);
    assert.deepEqual(cpuOf(second), [1, 1, 1, 2, 2]);
  });

  it('a stale lock is taken over: its pid is gone, or it was not touched for the stale time', () => {
    const lockPath = join(folder.dir, `${ws.id}.lock`);
    mkdirSync(folder.dir, { recursive: true });
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'gone', since: now - 1000 }));
    const history = open();
    feed(history, 1);
    assert.deepEqual(history.recording, [ws.id]);
    history.dispose();

    // A live pid (ours: reused after a crash, say) whose lock nobody touched for over a minute.
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, host: hostname(), token: 'old', since: now - 3_600_000 }));
    utimesSync(lockPath, (now - 120_000) / 1000, (now - 120_000) / 1000);
    const again = open();
    feed(again, 1, {}, now + 5000);
    assert.deepEqual(again.recording, [ws.id]);
    again.dispose();

    // A live pid with a fresh lock is a writer: refused.
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, host: hostname(), token: 'live', since: now }));
    const refused = open();
    feed(refused, 1, {}, now + 10_000);
    assert.deepEqual(refused.recording, []);
  });

  it('a writer that hung past the stale time loses the lock to the next one and stops writing', async () => {
    const lockTiming = { staleMs: 50, heartbeatMs: 0 };
    const log = recordingLog();
    const hung = open({ lockTiming, log });
    const next = open({ lockTiming });
    feed(hung, 1, { cpuPercent: 1 }, now - 5000);
    await new Promise((resolve) => setTimeout(resolve, 120));
    feed(next, 1, { cpuPercent: 2 }, now - 4000);
    assert.deepEqual(next.recording, [ws.id]);
    feed(hung, 1, { cpuPercent: 1 }, now - 3000);
    assert.deepEqual(hung.recording, []);
    assert.ok(log.lines.some((line) => /another process took over/.test(line.message)));
    assert.deepEqual(cpuOf(next), [1, 2]);
  });

  it('a file half-made by a process that died is removed when room is made', () => {
    mkdirSync(folder.dir, { recursive: true });
    const leftover = join(folder.dir, `other00001.metrics.new-${deadPid()}`);
    writeFileSync(leftover, 'half');
    feed(open(), 1);
    assert.equal(existsSync(leftover), false);
  });

  it('a corrupt or truncated file is reported by readers and started again by the writer, never thrown', () => {
    const log = recordingLog();
    const path = join(folder.dir, `${ws.id}.metrics`);
    const writer = open();
    feed(writer, 3);
    writer.dispose();
    truncateSync(path, 1000);
    const reader = new MetricsStore({ dir: folder.dir });
    const series = reader.series(ws.id, '1h');
    assert.equal(series.times.length, 0);
    assert.match(series.problem ?? '', /cannot be read: truncated/);
    assert.equal(reader.latest(ws.id), undefined);
    const restarted = open({ log });
    feed(restarted, 2, { cpuPercent: 9 });
    assert.ok(
      log.lines.some((line) => line.level === 'warn' && /could not be read \(truncated/.test(line.message)),
      JSON.stringify(log.lines),
    );
    assert.equal(statSync(path).size, historyFileBytes);
    assert.deepEqual(cpuOf(reader), [9, 9]);
    restarted.dispose();

    writeFileSync(path, Buffer.alloc(historyFileBytes, 0xa5));
    assert.match(reader.series(ws.id, '7d').problem ?? '', /not a metrics history file/);
    const garbage = open();
    feed(garbage, 1, { cpuPercent: 3 });
    assert.deepEqual(cpuOf(reader), [3]);
  });

  it('a write error (here: a folder where the file should be) is logged once and never reaches the monitor', () => {
    const log = recordingLog();
    mkdirSync(join(folder.dir, `${ws.id}.metrics`), { recursive: true });
    writeFileSync(join(folder.dir, `${ws.id}.metrics`, 'x'), 'in the way');
    const history = open({ log });
    assert.doesNotThrow(() => feed(history, 5));
    assert.deepEqual(history.recording, []);
    assert.equal(log.lines.filter((line) => line.level === 'warn').length, 1, JSON.stringify(log.lines));
  });

  it("attached to a monitor's stats: samples are written, a stop lets the lock go, a removal marks the history; off writes nothing", () => {
    const samples = new Emitter<WorkspaceStats>();
    const changes = new Emitter<SubscriptionChange>();
    const removals = new Emitter<MonitoredWorkspace>();
    const history = open();
    const attached = history.attach({ onSample: samples.event, onDidChange: changes.event, onDidRemove: removals.event });
    const workspace = { containerId: 'c'.repeat(64), id: ws.id, name: ws.name, level: 'standard' as const };
    const engineSample = (at: number, cpu: number) => {
      const snapshot = { ...statsSnapshot({ read: new Date(at).toISOString() }), cpuPercent: cpu, networkRxPackets: at / 1000 };
      samples.fire({ workspace, snapshot, sample: { read: new Date(at).toISOString() }, receivedAt: at });
    };
    engineSample(now - 2000, 11);
    engineSample(now - 1000, 12);
    assert.deepEqual(cpuOf(history), [11, 12]);
    assert.equal((history.series(ws.id, '1h') as SecondSeries).values.netRxPacketsPerSecond[1], 1);
    changes.fire({ kind: 'unsubscribed', workspace, reason: 'stop' });
    assert.deepEqual(history.recording, []);
    history.setEnabled(false);
    engineSample(now, 13);
    assert.deepEqual(cpuOf(history), [11, 12]);
    history.setEnabled(true);
    // A box removed by force: its stream ended at the die before, the removal comes alone.
    removals.fire(workspace);
    assert.ok(history.find(ws.id)?.removedAt, 'marked removed');
    attached.dispose();
    engineSample(now + 1000, 14);
    assert.deepEqual(cpuOf(history), [11, 12]);
  });
});

describe('metrics history: state folder, samples and the CLI report', () => {
  it("lives in the shared state folder's metrics/ (AICLI_STATE_DIR, else the XDG state folder)", () => {
    assert.equal(metricsHistoryDir({ AICLI_STATE_DIR: '/tmp/s', XDG_STATE_HOME: '/x' }, '/home/u'), '/tmp/s/metrics');
    assert.equal(metricsHistoryDir({ XDG_STATE_HOME: '/x' }, '/home/u'), '/x/aicli-workspaces/metrics');
    assert.equal(metricsHistoryDir({}, '/home/u'), '/home/u/.local/state/aicli-workspaces/metrics');
  });

  it('a stored sample carries packets and block I/O from the same engine sample (v2 shape), NaN where unknown', () => {
    const snapshot = statsSnapshot({
      read: '2026-01-05T00:00:01Z',
      networks: { eth0: { rx_bytes: 10, tx_bytes: 20, rx_packets: 3, tx_packets: 4 }, eth1: { rx_packets: 1, tx_packets: 1 } },
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: 'read', value: 512 },
          { op: 'write', value: 4096 },
        ],
      },
    });
    const sample = historySample(snapshot);
    assert.deepEqual([sample.netRxPackets, sample.netTxPackets, sample.blockReadBytes, sample.blockWriteBytes], [4, 5, 512, 4096]);
    assert.ok(Number.isNaN(sample.cpuPercent) && Number.isNaN(sample.memoryLimitBytes));
  });

  it('the human report: latest values, then min/avg/max over the range; or says where the history would be', () => {
    const latest = latestJson(syntheticSample(now, { cpuPercent: 50, blockWriteBytes: 50 * 2 ** 20 }), 'engine');
    const workspace = { id: ws.id, name: ws.name, state: 'running' };
    const empty = formatStatsReport(statsReport(workspace, '/state/metrics', latest, null, new MetricsStore({ dir: '/nonexistent' }).series(ws.id, '1h')));
    assert.match(empty, /No history over the last hour in \/state\/metrics/);
    assert.match(empty, /block write\s+50 MiB/);
  });
});
