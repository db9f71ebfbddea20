import * as assert from 'node:assert/strict';
import { seriesMetrics } from '../../src/monitor/history/format';
import { MetricsHistory } from '../../src/monitor/history/history';
import { MinuteSeries, SecondSeries } from '../../src/monitor/history/query';
import { appendRows, liveRow, seriesPayload } from '../../src/ui/metrics/chartData';
import { axisSteps, axisTop, bandPairs, chartColumns, chartSpecs, columnLabel, formatValue, timeLabel, withAlpha } from '../../src/ui/metrics/chartSpecs';
import { metricsCsp, metricsHtml } from '../../src/ui/metrics/metricsHtml';
import { simulatedStart, syntheticSample, temporaryMetricsDir } from '../support/metricsHistory';

const MiB = 2 ** 20;
const spec = (id: string) => chartSpecs.find((candidate) => candidate.id === id)!;

describe('metrics graphs: the chart table', () => {
  it('draws only metrics the history has, each chart with at least one line', () => {
    for (const chart of chartSpecs) {
      assert.ok(chart.lines.length > 0, chart.id);
      for (const line of chart.lines) assert.ok(seriesMetrics.includes(line.metric), `${chart.id}: ${line.metric}`);
    }
    assert.deepEqual(
      chartSpecs.map((chart) => chart.id),
      ['cpu', 'memory', 'pids', 'network', 'disk'],
    );
  });

  it('has one column per line at 1 s, and mean, min and max per line at 1 min (a limit: its maximum alone)', () => {
    const memory = spec('memory');
    assert.deepEqual(
      chartColumns(memory, 'second').map((column) => columnLabel(column)),
      ['used', 'limit'],
    );
    const minute = chartColumns(memory, 'minute');
    assert.deepEqual(
      minute.map((column) => columnLabel(column)),
      ['used avg', 'used min', 'used max', 'limit'],
    );
    assert.deepEqual(bandPairs(minute), [[3, 2]], 'the band runs between used max (series 3) and used min (series 2)');
    assert.deepEqual(bandPairs(chartColumns(spec('network'), 'minute')), [
      [3, 2],
      [6, 5],
    ]);
    assert.deepEqual(bandPairs(chartColumns(spec('network'), 'second')), []);
  });

  it('formats values in their unit, binary for bytes, "–" where unknown', () => {
    assert.equal(formatValue('percent', 42.4), '42 %');
    assert.equal(formatValue('percent', 2.25), '2.3 %');
    assert.equal(formatValue('percent', 0), '0 %');
    assert.equal(formatValue('bytes', 380 * MiB), '380 MiB');
    assert.equal(formatValue('bytes', 1.5 * 1024 * MiB), '1.5 GiB');
    assert.equal(formatValue('bytesPerSecond', 4.8 * MiB), '4.8 MiB/s');
    assert.equal(formatValue('count', 12), '12');
    assert.equal(formatValue('count', null), '–');
    assert.equal(formatValue('bytes', NaN), '–');
  });

  it('steps byte axes in powers of two and keeps CPU reaching one CPU', () => {
    assert.ok(axisSteps('bytes').includes(256 * MiB));
    assert.ok(!axisSteps('bytes').includes(100 * MiB));
    assert.ok(axisSteps('percent').includes(50));
    assert.equal(axisTop(spec('cpu'), 12), 100, 'a quiet box is not drawn as busy');
    assert.ok(Math.abs(axisTop(spec('cpu'), 200) - 220) < 1e-9, 'two busy CPUs fit, with room above');
    assert.equal(axisTop(spec('disk'), null), 1024, 'an idle disk reads 0 to 1 KiB/s');
  });

  it('labels the time axis as precisely as its step needs, in local time', () => {
    const at = new Date(2026, 11, 1, 18, 4, 10).getTime() / 1000;
    assert.equal(timeLabel(at, 5), '18:04:10');
    assert.equal(timeLabel(at, 300), '18:04');
    assert.equal(timeLabel(new Date(2026, 11, 2).getTime() / 1000, 3600), 'Dec 2', 'midnight names the day');
    assert.equal(timeLabel(at, 86_400), 'Dec 1');
  });

  it('makes theme colours translucent for the bands', () => {
    assert.equal(withAlpha('#3794ff', 0.2), 'rgba(55, 148, 255, 0.2)');
    assert.equal(withAlpha('#fff', 0.5), 'rgba(255, 255, 255, 0.5)');
    assert.equal(withAlpha('rgb(1, 2, 3)', 0.3), 'rgba(1, 2, 3, 0.3)');
    assert.equal(withAlpha('rgba(1, 2, 3, 0.9)', 0.3), 'rgba(1, 2, 3, 0.3)');
    assert.equal(withAlpha('red', 0.3), 'red');
  });
});

describe('metrics graphs: series to chart data', () => {
  const folder = temporaryMetricsDir();
  const ws = { id: 'c4a7b1e2f3', name: 'graphs' };

  it('shapes a 1 s series into uPlot columns per chart, times in seconds, rates for counters', () => {
    const history = new MetricsHistory({ dir: folder.dir });
    try {
      for (let second = 0; second < 10; second++) {
        history.record(
          ws,
          syntheticSample(simulatedStart + second * 1000, { cpuPercent: second * 10, netRxBytes: second * 2000, blockWriteBytes: second * MiB }),
        );
      }
      const series = history.series(ws.id, '1h', simulatedStart + 10_000) as SecondSeries;
      const payload = seriesPayload(series);
      assert.equal(payload.resolution, 'second');
      assert.equal(payload.times.length, 10);
      assert.equal(payload.times[0], simulatedStart / 1000);
      assert.deepEqual(payload.columns.cpu, [[0, 10, 20, 30, 40, 50, 60, 70, 80, 90]]);
      assert.deepEqual(payload.columns.memory[1]?.slice(0, 2), [512 * MiB, 512 * MiB]);
      assert.deepEqual(payload.columns.network[0]?.slice(0, 3), [null, 2000, 2000], 'rx rate; the first sample has none');
      assert.deepEqual(payload.columns.disk[1]?.slice(1, 3), [MiB, MiB]);
      for (const chart of chartSpecs) {
        for (const column of payload.columns[chart.id]) assert.equal(column.length, payload.times.length, chart.id);
      }
    } finally {
      history.dispose();
    }
  });

  it('breaks the line where the box was not sampled for more than three steps', () => {
    const history = new MetricsHistory({ dir: folder.dir });
    try {
      [0, 1, 2, 60, 61].forEach((second) => history.record(ws, syntheticSample(simulatedStart + second * 1000, { cpuPercent: 50 })));
      const payload = seriesPayload(history.series(ws.id, '1h', simulatedStart + 62_000));
      const base = simulatedStart / 1000;
      assert.deepEqual(payload.times, [base, base + 1, base + 2, base + 3, base + 60, base + 61]);
      assert.deepEqual(payload.columns.cpu[0], [50, 50, 50, null, 50, 50]);
    } finally {
      history.dispose();
    }
  });

  it('shapes a minute series into mean, min and max columns (the band) per line', () => {
    const series: MinuteSeries = {
      workspaceId: ws.id,
      range: '24h',
      stepMs: 60_000,
      resolution: 'minute',
      times: [simulatedStart, simulatedStart + 60_000],
      samples: [60, 60],
      min: Object.fromEntries(seriesMetrics.map((metric) => [metric, [1, 2]])) as MinuteSeries['min'],
      avg: Object.fromEntries(seriesMetrics.map((metric) => [metric, [5, 6]])) as MinuteSeries['avg'],
      max: Object.fromEntries(seriesMetrics.map((metric) => [metric, [9, 10]])) as MinuteSeries['max'],
    };
    const payload = seriesPayload(series);
    assert.equal(payload.resolution, 'minute');
    assert.deepEqual(payload.columns.cpu, [
      [5, 6],
      [1, 2],
      [9, 10],
    ]);
    assert.deepEqual(payload.columns.memory[3], [9, 10], 'the limit: its maximum');
    assert.equal(payload.columns.network.length, 6);
  });

  it('gives an empty history one empty column per line', () => {
    const payload = seriesPayload(new MetricsHistory({ dir: folder.dir }).series('nothing00', '7d'));
    assert.deepEqual(payload.times, []);
    assert.deepEqual(payload.columns.memory, [[], [], [], []]);
  });

  it('turns live samples into rows, appends only newer ones and drops what leaves the range', () => {
    const previous = syntheticSample(simulatedStart, { netTxBytes: 0 });
    const next = syntheticSample(simulatedStart + 1000, { cpuPercent: 75, netTxBytes: 4096 });
    const row = liveRow(previous, next);
    assert.equal(row.time, (simulatedStart + 1000) / 1000);
    assert.deepEqual(row.values.cpu, [75]);
    assert.deepEqual(row.values.network, [0, 4096]);
    assert.deepEqual(liveRow(undefined, next).values.network, [null, null], 'no rate without a sample before');
    assert.deepEqual(liveRow(undefined, syntheticSample(simulatedStart, { cpuPercent: NaN })).values.cpu, [null]);

    const payload = seriesPayload(new MetricsHistory({ dir: folder.dir }).series('nothing00', '1h'));
    const at = (second: number) => liveRow(undefined, syntheticSample(simulatedStart + second * 1000, { cpuPercent: second }));
    assert.equal(appendRows(payload, [at(0), at(1), at(1), at(2)], 3600), 3);
    assert.equal(appendRows(payload, [at(2)], 3600), 0, 'a row the payload has is skipped');
    assert.deepEqual(payload.columns.cpu[0], [0, 1, 2]);
    assert.equal(appendRows(payload, [at(10)], 3600), 1);
    assert.deepEqual(payload.columns.cpu[0], [0, 1, 2, null, 10], 'a pause is a gap');
    appendRows(payload, [at(3605)], 3600);
    assert.deepEqual(payload.times, [simulatedStart / 1000 + 10, simulatedStart / 1000 + 11, simulatedStart / 1000 + 3605]);
    assert.deepEqual(payload.columns.cpu[0], [10, null, 3605]);
    assert.equal(payload.columns.memory[0]?.length, 3);
  });
});

describe('metrics graphs: the page', () => {
  it('allows only its nonce script and the extension’s styles', () => {
    const csp = metricsCsp('https://ext.example', 'abc123');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.match(csp, /style-src https:\/\/ext\.example(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/[^e]/);
    const html = metricsHtml({
      cspSource: 'https://ext.example',
      scriptUri: 'https://ext.example/m.js',
      styleUri: 'https://ext.example/m.css',
      title: 'Metrics of <x>',
      nonce: 'abc123',
    });
    assert.match(html, /<script nonce="abc123" src="https:\/\/ext\.example\/m\.js"><\/script>/);
    assert.match(html, /Metrics of &lt;x&gt;/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /style="/);
  });
});
