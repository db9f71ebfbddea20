import type { MetricsHistory } from '../../monitor/history/history';
import { CpuTrend, cpuTrend, trendEnd, trendOptions } from './sparkline';

/** One workspace's CPU samples of the trend's span, oldest first. */
interface RecentCpu {
  times: number[];
  cpuPercent: (number | null)[];
}

/**
 * The ticker tooltip's CPU trend per workspace. The samples the window receives anyway are
 * kept for the trend's span (5 min: 300 numbers a workspace); the history is read once per
 * workspace, the first time its trend is asked for, for what came before this window
 * received samples (after a reload). Reading the 1 h series every bucket (as this did first)
 * cost every workspace a 288 kB read and its decoding every 10 s: measurable garbage
 * collection in the extension host with 20 workspaces (bench/monitor). A trend only changes
 * when a bucket fills (every 10 s), so it is computed at most once a bucket.
 */
export class CpuTrends {
  private readonly recent = new Map<string, RecentCpu>();
  private readonly cache = new Map<string, { end: number; trend: CpuTrend | undefined }>();
  private readonly spanMs = trendOptions.minutes * 60_000;

  constructor(private readonly history: Pick<MetricsHistory, 'series'>) {}

  /** A sample of the workspace's stats stream (in time order per workspace). */
  sample(workspaceId: string, at: number, cpuPercent: number | undefined): void {
    const recent = this.recent.get(workspaceId);
    // Not seeded yet: the first trend asked for reads the history, which holds this sample too.
    if (!recent) return;
    if (recent.times.length > 0 && at <= (recent.times[recent.times.length - 1] as number)) return;
    recent.times.push(at);
    recent.cpuPercent.push(cpuPercent !== undefined && Number.isFinite(cpuPercent) ? cpuPercent : null);
  }

  /** The workspace is gone: its samples go too. */
  forget(workspaceId: string): void {
    this.recent.delete(workspaceId);
    this.cache.delete(workspaceId);
  }

  of(workspaceId: string, now = Date.now()): CpuTrend | undefined {
    const end = trendEnd(now);
    const cached = this.cache.get(workspaceId);
    if (cached?.end === end) return cached.trend;
    const recent = this.recentOf(workspaceId, now);
    // Drop what is older than the span; what is left is at most the span's samples.
    const keepFrom = recent.times.findIndex((at) => at >= end - this.spanMs);
    if (keepFrom < 0) recent.times.length = recent.cpuPercent.length = 0;
    else if (keepFrom > 0) {
      recent.times.splice(0, keepFrom);
      recent.cpuPercent.splice(0, keepFrom);
    }
    const trend = cpuTrend({ times: recent.times, values: { cpuPercent: recent.cpuPercent } }, end, trendOptions);
    this.cache.set(workspaceId, { end, trend });
    return trend;
  }

  /** The tooltip line: "`▁▂▅▇█` CPU, last 5 min (max 98 %)". */
  line(workspaceId: string, now = Date.now()): string | undefined {
    const trend = this.of(workspaceId, now);
    if (!trend) return undefined;
    return `\`${trend.text}\` CPU, last ${trend.minutes} min (max ${Math.round(trend.max)} %)`;
  }

  private recentOf(workspaceId: string, now: number): RecentCpu {
    const known = this.recent.get(workspaceId);
    if (known) return known;
    const series = this.history.series(workspaceId, '1h', now);
    const seeded: RecentCpu = { times: [], cpuPercent: [] };
    if (series.resolution === 'second') {
      const from = now - this.spanMs;
      series.times.forEach((at, index) => {
        if (at < from) return;
        seeded.times.push(at);
        seeded.cpuPercent.push(series.values.cpuPercent[index] ?? null);
      });
    }
    this.recent.set(workspaceId, seeded);
    return seeded;
  }
}
