/**
 * The last minutes of a workspace's CPU as a line of block characters, for the ticker's tooltip:
 * "▁▁▂▅▇██▇▅▂". Pure: the 1 h series in, text out.
 */
import type { Column } from '../../monitor/history/query';

const blocks = '▁▂▃▄▅▆▇█';

/** Each value as a block scaled to `top` (the lowest block for 0, the full one at `top` or above); a gap as a space. */
export function sparkline(values: readonly (number | null)[], top: number): string {
  return values
    .map((value) => {
      if (value === null || !Number.isFinite(value)) return ' ';
      const level = top > 0 ? Math.round((Math.min(Math.max(value, 0), top) / top) * (blocks.length - 1)) : 0;
      return blocks[level];
    })
    .join('');
}

/**
 * The mean of each of `buckets` equal spans of [from, to) (times and values as the history gives
 * them: ms, oldest first); null for a span without a value.
 */
export function bucketMeans(times: readonly number[], values: Column, from: number, to: number, buckets: number): (number | null)[] {
  const sums = new Array<number>(buckets).fill(0);
  const counts = new Array<number>(buckets).fill(0);
  const width = (to - from) / buckets;
  for (let index = 0; index < times.length; index++) {
    const at = times[index] as number;
    const value = values[index];
    if (at < from || at >= to || value === null || value === undefined || !Number.isFinite(value)) continue;
    const bucket = Math.min(buckets - 1, Math.floor((at - from) / width));
    sums[bucket] = (sums[bucket] as number) + value;
    counts[bucket] = (counts[bucket] as number) + 1;
  }
  return sums.map((sum, bucket) => ((counts[bucket] as number) > 0 ? sum / (counts[bucket] as number) : null));
}

export interface CpuTrend {
  /** One block per bucket, oldest first. */
  text: string;
  /** The highest bucket mean, in the engine's CPU % (100 = one CPU). */
  max: number;
  minutes: number;
}

export const trendOptions = { minutes: 5, buckets: 30 };

/** Where the trend of `now` ends: the start of the bucket being filled, so only whole buckets show. */
export const trendEnd = (now: number, options = trendOptions): number => {
  const width = (options.minutes * 60_000) / options.buckets;
  return Math.floor(now / width) * width;
};

/**
 * The CPU of the last `minutes` before `now` from a 1 h series: bucket means scaled to one CPU
 * (100 %), or to the highest mean when the box used more than one, from the first bucket with a
 * value on. Undefined without a value.
 */
export function cpuTrend(series: { times: readonly number[]; values: { cpuPercent: Column } }, now: number, options = trendOptions): CpuTrend | undefined {
  const from = now - options.minutes * 60_000;
  const means = bucketMeans(series.times, series.values.cpuPercent, from, now, options.buckets);
  const known = means.filter((mean): mean is number => mean !== null);
  if (known.length === 0) return undefined;
  const max = Math.max(...known);
  // A box younger than the span starts its line where its samples do, not after a row of blanks.
  const first = means.findIndex((mean) => mean !== null);
  return { text: sparkline(means.slice(first), Math.max(100, max)), max, minutes: options.minutes };
}
