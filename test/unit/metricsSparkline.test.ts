import * as assert from 'node:assert/strict';
import { MetricsHistory } from '../../src/monitor/history/history';
import { CpuTrends } from '../../src/ui/metrics/cpuTrends';
import { bucketMeans, cpuTrend, sparkline, trendEnd } from '../../src/ui/metrics/sparkline';
import { simulatedStart, syntheticSample, temporaryMetricsDir } from '../support/metricsHistory';

describe('metrics graphs: the ticker sparkline', () => {
  it('draws each value as a block of eight levels, a gap as a space', () => {
    assert.equal(sparkline([0, 14.3, 28.6, 42.9, 57.1, 71.4, 85.7, 100], 100), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([null, 100, 250, -5, NaN], 100), ' ██▁ ');
    assert.equal(sparkline([3], 0), '▁');
  });

  it('averages each bucket of the span and leaves empty buckets null', () => {
    const times = [0, 500, 1000, 3500];
    assert.deepEqual(bucketMeans(times, [10, 30, 50, 70], 0, 4000, 4), [20, 50, null, 70]);
    assert.deepEqual(bucketMeans(times, [null, 30, null, 70], 0, 4000, 2), [30, 70]);
    assert.deepEqual(bucketMeans([4000, -1], [1, 1], 0, 4000, 2), [null, null], 'outside [from, to) is not counted');
  });

  it('shows the last 5 minutes of CPU in 30 buckets, scaled to one CPU or to more when used', () => {
    const times = Array.from({ length: 300 }, (_, second) => simulatedStart + second * 1000);
    const now = simulatedStart + 300_000;
    const busy = cpuTrend({ times, values: { cpuPercent: times.map((_, second) => (second < 150 ? 0 : 100)) } }, now);
    assert.ok(busy);
    assert.equal(busy.text, '▁'.repeat(15) + '█'.repeat(15));
    assert.equal(busy.max, 100);
    const twoCpus = cpuTrend({ times, values: { cpuPercent: times.map(() => 200) } }, now);
    assert.equal(twoCpus?.text, '█'.repeat(30));
    const half = cpuTrend({ times, values: { cpuPercent: times.map(() => 50) } }, now);
    assert.equal(half?.text, '▅'.repeat(30));
    assert.equal(cpuTrend({ times: [], values: { cpuPercent: [] } }, now), undefined);
    const young = cpuTrend({ times: times.slice(280), values: { cpuPercent: times.slice(280).map(() => 100) } }, now);
    assert.equal(young?.text, '██', 'a box 20 s old: two buckets, no blanks before them');
  });

  describe('from the history', () => {
    const folder = temporaryMetricsDir();

    it('reads the history once per workspace, then follows the samples the window receives', () => {
      const history = new MetricsHistory({ dir: folder.dir });
      const ws = { id: 'f00dcafe01', name: 'trend' };
      try {
        for (let second = 0; second < 600; second++)
          history.record(ws, syntheticSample(simulatedStart + second * 1000, { cpuPercent: second < 450 ? 0 : 100 }));
        let reads = 0;
        const trends = new CpuTrends({ series: (...args: Parameters<MetricsHistory['series']>) => (reads++, history.series(...args)) });
        const now = simulatedStart + 600_000;
        const line = trends.line(ws.id, now);
        assert.equal(line, `\`${'▁'.repeat(15)}${'█'.repeat(15)}\` CPU, last 5 min (max 100 %)`);
        trends.line(ws.id, now + 9000);
        assert.equal(reads, 1);
        // Two buckets of idle samples as the stream delivers them: the line moves on without a read.
        for (let second = 600; second < 620; second++) trends.sample(ws.id, simulatedStart + second * 1000, 0);
        assert.equal(trendEnd(now + 20_000), now + 20_000);
        assert.equal(trends.line(ws.id, now + 20_000), `\`${'▁'.repeat(13)}${'█'.repeat(15)}▁▁\` CPU, last 5 min (max 100 %)`);
        assert.equal(reads, 1);
        // Removed: forgotten, and read again if asked for (a workspace of that id recreated).
        trends.forget(ws.id);
        trends.line(ws.id, now + 20_000);
        assert.equal(reads, 2);
        assert.equal(trends.line('unknown00', now), undefined);
      } finally {
        history.dispose();
      }
    });
  });
});
