import * as assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { historyFileBytes, layout } from '../../src/monitor/history/format';
import { MetricsHistory } from '../../src/monitor/history/history';
import { MinuteSeries, SecondSeries, summarizeSeries } from '../../src/monitor/history/query';
import { storeBoundBytes } from '../../src/monitor/history/store';
import { simulatedStart, syntheticSample, temporaryMetricsDir } from '../support/metricsHistory';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('metrics history: rings and downsampling', () => {
  const folder = temporaryMetricsDir();
  let history: MetricsHistory;
  beforeEach(() => (history = new MetricsHistory({ dir: folder.dir })));
  afterEach(() => history.dispose());
  const ws = { id: 'a1b2c3d4e5', name: 'ring' };

  it('keeps the min and the max of each minute, and its mean over the samples that have a value', () => {
    const start = simulatedStart + 10 * minute;
    // CPU 0…59 in shuffled order, one 1 GiB memory spike, 1 kB more written each second than the one before.
    const order = Array.from({ length: 60 }, (_, i) => (i * 37) % 60);
    let written = 0;
    order.forEach((cpu, second) => {
      written += second * 1000;
      const spike = second === 17 ? 2 ** 30 : 100 * 2 ** 20;
      history.record(ws, syntheticSample(start + second * 1000, { cpuPercent: second === 0 ? NaN : cpu, memoryBytes: spike, blockWriteBytes: written }));
    });
    const series = history.series(ws.id, '24h', start + 2 * minute) as MinuteSeries;
    assert.equal(series.resolution, 'minute');
    assert.deepEqual(series.times, [start]);
    assert.equal(series.samples[0], 60);
    // The first sample's CPU (0) is unknown: the minute's CPU is 1…59 without it.
    const cpuOrder = order.slice(1);
    assert.equal(series.min.cpuPercent[0], Math.min(...cpuOrder));
    assert.equal(series.max.cpuPercent[0], 59);
    assert.ok(Math.abs((series.avg.cpuPercent[0] as number) - cpuOrder.reduce((a, b) => a + b, 0) / 59) < 1e-4);
    assert.equal(series.max.memoryBytes[0], 2 ** 30);
    assert.equal(series.min.memoryBytes[0], 100 * 2 ** 20);
    assert.ok(Math.abs((series.avg.memoryBytes[0] as number) - (59 * 100 * 2 ** 20 + 2 ** 30) / 60) < 64);
    // Rates from the second sample on: 1000, 2000, … 59000 bytes per second.
    assert.equal(series.min.blockWriteBytesPerSecond[0], 1000);
    assert.equal(series.max.blockWriteBytesPerSecond[0], 59_000);
    assert.equal(series.avg.blockWriteBytesPerSecond[0], 30_000);
    assert.equal(series.avg.netRxBytesPerSecond[0], 0);
    const week = history.series(ws.id, '7d', start + 2 * minute) as MinuteSeries;
    assert.deepEqual(week.max.cpuPercent, series.max.cpuPercent);
  });

  it('the 1 s ring wraps: after 2 h it holds exactly the last hour, in order, with the newest values', () => {
    const samples = 2 * 3600 + 30;
    for (let second = 0; second < samples; second++) {
      history.record(ws, syntheticSample(simulatedStart + second * 1000, { cpuPercent: second % 1000, netRxBytes: second * 100 }));
    }
    const now = simulatedStart + (samples - 1) * 1000;
    const series = history.series(ws.id, '1h', now) as SecondSeries;
    assert.equal(series.times.length, layout.secondSlots);
    assert.equal(series.times[0], now - 3599 * 1000);
    assert.equal(series.times.at(-1), now);
    assert.ok(series.times.every((time, index) => index === 0 || time - (series.times[index - 1] as number) === 1000));
    assert.equal(series.values.cpuPercent.at(-1), (samples - 1) % 1000);
    // Rates across the wrap point too; the oldest sample kept has none (the one before it is overwritten).
    assert.equal(series.values.netRxBytesPerSecond[0], null);
    assert.ok(series.values.netRxBytesPerSecond.slice(1).every((rate) => rate === 100));
    const summary = summarizeSeries(series);
    assert.equal(summary.netRxBytesPerSecond?.max, 100);
    assert.equal(summary.pids?.avg, 3);
  });

  it('a counter that goes down (the box restarted) gives no rate for that second, and a gap over a minute none either', () => {
    history.record(ws, syntheticSample(simulatedStart, { netTxBytes: 5000 }));
    history.record(ws, syntheticSample(simulatedStart + 1000, { netTxBytes: 6000 }));
    history.record(ws, syntheticSample(simulatedStart + 2000, { netTxBytes: 10 }));
    history.record(ws, syntheticSample(simulatedStart + 3000, { netTxBytes: 20 }));
    history.record(ws, syntheticSample(simulatedStart + 3000 + 2 * minute, { netTxBytes: 1e9 }));
    const series = history.series(ws.id, '1h', simulatedStart + 3 * minute) as SecondSeries;
    assert.deepEqual(series.values.netTxBytesPerSecond, [null, 1000, null, 10, null]);
  });

  it('answers a graph fast: 1 h at 1 s and 7 d at 1 min each in a few ms', () => {
    const end = simulatedStart + 7 * day;
    // Every minute slot and every second slot written, without feeding a week second by second.
    for (let at = simulatedStart; at < end - hour; at += minute) history.record(ws, syntheticSample(at, { cpuPercent: 50 }));
    for (let at = end - hour; at < end; at += 1000) history.record(ws, syntheticSample(at, { cpuPercent: 75 }));
    // The best of five after one to compile the code paths: the query's own time, not the machine's load.
    const timed = (range: '1h' | '24h' | '7d'): { ms: number; points: number } => {
      let best = { ms: Infinity, points: 0 };
      for (let run = 0; run < 6; run++) {
        const started = process.hrtime.bigint();
        const series = history.series(ws.id, range, end - 1000);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (run > 0 && ms < best.ms) best = { ms, points: series.times.length };
      }
      return best;
    };
    const results = { '1h': timed('1h'), '24h': timed('24h'), '7d': timed('7d') };
    console.log(
      `      series query: ${Object.entries(results)
        .map(([range, r]) => `${range} ${r.points} points in ${r.ms.toFixed(2)} ms`)
        .join(', ')}`,
    );
    assert.equal(results['1h'].points, 3600);
    assert.equal(results['24h'].points, 1440);
    assert.equal(results['7d'].points, layout.minuteSlots);
    for (const result of Object.values(results)) assert.ok(result.ms < 50, `a query took ${result.ms} ms`);
  });
});

describe('metrics history: bounded size', () => {
  const folder = temporaryMetricsDir();

  it('a simulated week of 1 s samples (plus short-lived workspaces coming and going) stays within the bound', function () {
    this.timeout(60_000);
    const history = new MetricsHistory({ dir: folder.dir, maxWorkspaces: 3 });
    const long = { id: 'long000001', name: 'long' };
    const end = simulatedStart + 7 * day + hour;
    const started = Date.now();
    let short = 0;
    for (let at = simulatedStart; at < end; at += 1000) {
      history.record(long, syntheticSample(at, { cpuPercent: (at / 1000) % 100, netRxBytes: at / 10 }));
      // A new workspace each day, sampled every 30 s, removed at the end of its day.
      const dayIndex = Math.floor((at - simulatedStart) / day);
      const shortWs = { id: `short0000${dayIndex}`, name: `short-${dayIndex}` };
      if ((at - simulatedStart) % 30_000 === 0) history.record(shortWs, syntheticSample(at));
      if ((at - simulatedStart) % day === day - 1000) {
        history.removed(shortWs, at);
        short++;
      }
    }
    const elapsed = Date.now() - started;
    const files = readdirSync(folder.dir).filter((name) => name.endsWith('.metrics'));
    const bytes = files.reduce((sum, name) => sum + statSync(join(folder.dir, name)).size, 0);
    console.log(
      `      a week (${(end - simulatedStart) / 1000} samples of one workspace, ${short} others) fed in ${elapsed} ms: ${files.length} files, ${bytes} bytes`,
    );
    assert.ok(files.length <= 3, `${files.length} files`);
    assert.ok(bytes <= storeBoundBytes(history.store), `${bytes} bytes`);
    assert.equal(storeBoundBytes(history.store), 3 * historyFileBytes);
    files.forEach((name) => assert.equal(statSync(join(folder.dir, name)).size, historyFileBytes, name));
    // The running workspace is kept; of the removed ones, the earliest removed went first.
    assert.deepEqual(files.sort(), ['long000001.metrics', 'short00006.metrics', 'short00007.metrics']);
    const week = history.series(long.id, '7d', end - 1000) as MinuteSeries;
    assert.equal(week.times.length, layout.minuteSlots);
    assert.equal(week.times[0], end - 7 * day, 'the oldest minute kept is 7 days before the newest');
    assert.equal(week.max.cpuPercent.at(-1), 99);
    assert.equal((history.series(long.id, '1h', end - 1000) as SecondSeries).times.length, 3600);
    history.dispose();
  });
});
