import {
  counters,
  gauges,
  layout,
  minuteAt,
  minuteSamples,
  MinuteStats,
  minuteValue,
  rateBetween,
  rateOf,
  secondAt,
  secondValue,
  SeriesMetric,
  seriesMetrics,
} from './format';

export const historyRanges = ['1h', '24h', '7d'] as const;
export type HistoryRange = (typeof historyRanges)[number];

export const isHistoryRange = (text: string): text is HistoryRange => (historyRanges as readonly string[]).includes(text);

/** How far back a range reaches, and at what step. */
export const rangeSpans: Record<HistoryRange, { spanMs: number; stepMs: number }> = {
  '1h': { spanMs: 3_600_000, stepMs: 1000 },
  '24h': { spanMs: 24 * 3_600_000, stepMs: 60_000 },
  '7d': { spanMs: 7 * 24 * 3_600_000, stepMs: 60_000 },
};

/** A column of values, one per time; null where a value is unknown (uPlot draws null as a gap). */
export type Column = (number | null)[];

interface SeriesBase {
  workspaceId: string;
  range: HistoryRange;
  stepMs: number;
  /** Slot start times, ms since the epoch, oldest first; only slots that hold a sample. */
  times: number[];
  /** Why the history could not be read (corrupt or truncated file); the series is then empty. */
  problem?: string;
}

/** 1 h at 1 s: each sample as taken; counters as rates over the gap to the sample before. */
export interface SecondSeries extends SeriesBase {
  resolution: 'second';
  values: Record<SeriesMetric, Column>;
}

/** 24 h and 7 d at 1 min: the minute's min, mean and max of each metric, and how many samples it had. */
export interface MinuteSeries extends SeriesBase {
  resolution: 'minute';
  min: Record<SeriesMetric, Column>;
  avg: Record<SeriesMetric, Column>;
  max: Record<SeriesMetric, Column>;
  samples: number[];
}

export type MetricsSeries = SecondSeries | MinuteSeries;

const cell = (value: number): number | null => (Number.isFinite(value) ? value : null);
const columns = (): Record<SeriesMetric, Column> => Object.fromEntries(seriesMetrics.map((metric) => [metric, [] as Column])) as Record<SeriesMetric, Column>;

/** Slots in time order; rings are in order from the oldest slot on unless the clock was set back. */
function inTimeOrder(slots: number[], times: number[]): number[] {
  const order = slots.map((_, index) => index);
  if (times.some((time, index) => index > 0 && time < (times[index - 1] as number))) order.sort((a, b) => (times[a] as number) - (times[b] as number));
  return order.map((index) => slots[index] as number);
}

/**
 * The 1 h series of a seconds ring: the samples after `since`, each as taken, counters as rates
 * over the gap to the sample before (the newest one at or before `since` for the first).
 */
export function secondSeries(workspaceId: string, ring: DataView | undefined, since: number): SecondSeries {
  const values = columns();
  const found: number[] = [];
  const foundAt: number[] = [];
  let before = -1;
  let beforeAt = 0;
  for (let slot = 0; ring && slot < layout.secondSlots; slot++) {
    const at = secondAt(ring, slot);
    if (at > since) {
      found.push(slot);
      foundAt.push(at);
    } else if (at > beforeAt) {
      before = slot;
      beforeAt = at;
    }
  }
  const slots = inTimeOrder(found, foundAt);
  const times = slots.map((slot) => secondAt(ring as DataView, slot));
  if (!ring || slots.length === 0) return { workspaceId, range: '1h', stepMs: 1000, resolution: 'second', times, values };
  const gaugeColumns = gauges.map((gauge) => (values[gauge] = new Array<number | null>(slots.length)));
  const rateColumns = counters.map((counter) => (values[rateOf(counter)] = new Array<number | null>(slots.length)));
  const previous = counters.map((counter) => (before < 0 ? NaN : secondValue(ring, before, counter)));
  let previousAt = before < 0 ? NaN : beforeAt;
  for (let index = 0; index < slots.length; index++) {
    const [slot, at] = [slots[index] as number, times[index] as number];
    gauges.forEach((gauge, column) => ((gaugeColumns[column] as Column)[index] = cell(secondValue(ring, slot, gauge))));
    counters.forEach((counter, column) => {
      const current = secondValue(ring, slot, counter);
      (rateColumns[column] as Column)[index] = cell(rateBetween(previousAt, previous[column] as number, at, current));
      previous[column] = current;
    });
    previousAt = at;
  }
  return { workspaceId, range: '1h', stepMs: 1000, resolution: 'second', times, values };
}

/** The 24 h or 7 d series of a minutes ring: the minutes in (after, last]. */
export function minuteSeries(workspaceId: string, range: Exclude<HistoryRange, '1h'>, ring: DataView | undefined, after: number, last: number): MinuteSeries {
  const [min, avg, max] = [columns(), columns(), columns()];
  const found: number[] = [];
  const foundMinutes: number[] = [];
  for (let slot = 0; ring && slot < layout.minuteSlots; slot++) {
    const minute = minuteAt(ring, slot);
    if (minute > after && minute <= last) {
      found.push(slot);
      foundMinutes.push(minute);
    }
  }
  const slots = inTimeOrder(found, foundMinutes);
  const view = ring as DataView;
  const times = slots.map((slot) => minuteAt(view, slot) * 60_000);
  const samples = slots.map((slot) => minuteSamples(view, slot));
  // One pass over the slots into preallocated columns: 7 d is 10,080 slots × 30 values.
  const targets = [min, avg, max].map((target) => seriesMetrics.map((metric) => (target[metric] = new Array<number | null>(slots.length))));
  for (let index = 0; index < slots.length; index++) {
    const slot = slots[index] as number;
    for (let metric = 0; metric < seriesMetrics.length; metric++) {
      for (let part = 0; part < 3; part++) (targets[part] as Column[])[metric]![index] = cell(minuteValue(view, slot, metric, part));
    }
  }
  return { workspaceId, range, stepMs: 60_000, resolution: 'minute', times, min, avg, max, samples };
}

export function emptySeries(workspaceId: string, range: HistoryRange, problem?: string): MetricsSeries {
  const series = range === '1h' ? secondSeries(workspaceId, undefined, 0) : minuteSeries(workspaceId, range, undefined, 0, 0);
  return problem ? { ...series, problem } : series;
}

/** min/avg/max of each metric over a whole series (the CLI's summary); undefined where no value is known. */
export type SeriesSummary = Record<SeriesMetric, MinuteStats | undefined>;

export function summarizeSeries(series: MetricsSeries): SeriesSummary {
  const summary = {} as SeriesSummary;
  for (const metric of seriesMetrics) {
    let [min, max, sum, weight] = [Infinity, -Infinity, 0, 0];
    const length = series.times.length;
    for (let index = 0; index < length; index++) {
      const low = series.resolution === 'second' ? series.values[metric][index] : series.min[metric][index];
      const high = series.resolution === 'second' ? low : series.max[metric][index];
      const mean = series.resolution === 'second' ? low : series.avg[metric][index];
      // A minute's mean weighs as many samples as it had, so a half-empty minute counts half.
      const samples = series.resolution === 'second' ? 1 : (series.samples[index] ?? 1);
      if (low === null || low === undefined || high === null || high === undefined || mean === null || mean === undefined) continue;
      min = Math.min(min, low);
      max = Math.max(max, high);
      sum += mean * samples;
      weight += samples;
    }
    summary[metric] = weight > 0 ? { min, avg: sum / weight, max } : undefined;
  }
  return summary;
}
