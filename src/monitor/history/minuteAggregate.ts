import { MinuteSlot, seriesMetrics } from './format';

const metricCount = seriesMetrics.length;

/**
 * The downsampling of one minute: min, max and the mean of each metric (by its index in
 * seriesMetrics) over the samples that have it. Kept in memory by the writer and written to
 * the minute's slot after every sample, so readers see the current minute too and a crash
 * loses at most the sample in flight. Typed arrays, no allocation per sample: the writer runs
 * once a second per workspace for as long as VS Code is open.
 */
export class MinuteAggregate implements MinuteSlot {
  samples = 0;
  readonly min = new Float64Array(metricCount).fill(NaN);
  readonly max = new Float64Array(metricCount).fill(NaN);
  readonly avg = new Float64Array(metricCount).fill(NaN);
  private readonly sum = new Float64Array(metricCount);
  /** Samples that had each metric (CPU % is unknown on a stream's first sample, rates on the first after a gap). */
  private readonly counts = new Float64Array(metricCount);

  constructor(readonly minute: number) {}

  /**
   * Resumes a minute that a writer before this one began (the window reloaded mid-minute):
   * its mean counts as that many samples of every metric it has, which is exact unless some
   * of them lacked a value.
   */
  static resume(slot: MinuteSlot): MinuteAggregate {
    const aggregate = new MinuteAggregate(slot.minute);
    aggregate.samples = slot.samples;
    for (let metric = 0; metric < metricCount; metric++) {
      const avg = slot.avg[metric] as number;
      if (!Number.isFinite(avg)) continue;
      aggregate.min[metric] = slot.min[metric] as number;
      aggregate.max[metric] = slot.max[metric] as number;
      aggregate.avg[metric] = avg;
      aggregate.sum[metric] = avg * slot.samples;
      aggregate.counts[metric] = slot.samples;
    }
    return aggregate;
  }

  /** One sample's values, by metric index; NaN where it has none. */
  add(values: ArrayLike<number>): void {
    this.samples++;
    for (let metric = 0; metric < metricCount; metric++) {
      const value = values[metric] as number;
      if (!Number.isFinite(value)) continue;
      const first = this.counts[metric] === 0;
      this.min[metric] = first ? value : Math.min(this.min[metric] as number, value);
      this.max[metric] = first ? value : Math.max(this.max[metric] as number, value);
      this.sum[metric] = (this.sum[metric] as number) + value;
      this.counts[metric] = (this.counts[metric] as number) + 1;
      this.avg[metric] = (this.sum[metric] as number) / (this.counts[metric] as number);
    }
  }
}
