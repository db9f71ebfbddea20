import type { MetricsHistory } from '../../monitor/history/history';
import { CpuTrend, cpuTrend, trendEnd, trendOptions } from './sparkline';

/**
 * The ticker tooltip's CPU trend per workspace, from the history. The tooltip is rebuilt on
 * samples (up to once a second); a trend only changes when a bucket fills (every 10 s), so each
 * workspace's 1 h series is read at most once a bucket, not once a redraw.
 */
export class CpuTrends {
  private readonly cache = new Map<string, { end: number; trend: CpuTrend | undefined }>();

  constructor(private readonly history: Pick<MetricsHistory, 'series'>) {}

  of(workspaceId: string, now = Date.now()): CpuTrend | undefined {
    const end = trendEnd(now);
    const cached = this.cache.get(workspaceId);
    if (cached?.end === end) return cached.trend;
    const series = this.history.series(workspaceId, '1h', end);
    const trend = series.resolution === 'second' ? cpuTrend(series, end, trendOptions) : undefined;
    this.cache.set(workspaceId, { end, trend });
    return trend;
  }

  /** The tooltip line: "`▁▂▅▇█` CPU, last 5 min (max 98 %)". */
  line(workspaceId: string, now = Date.now()): string | undefined {
    const trend = this.of(workspaceId, now);
    if (!trend) return undefined;
    return `\`${trend.text}\` CPU, last ${trend.minutes} min (max ${Math.round(trend.max)} %)`;
  }
}
