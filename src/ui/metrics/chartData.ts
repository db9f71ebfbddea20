/**
 * The history's series shaped into what the graphs draw: per chart, uPlot's columns (one per
 * line at 1 s; mean, minimum and maximum per line at 1 min) against times in seconds, and the
 * rows that arrive live. Pure: the extension shapes, the webview appends and trims.
 */
import { Counter, counters, gauges, HistorySample, rateBetween, rateOf, SeriesMetric } from '../../monitor/history/format';
import type { Column, HistoryRange, MetricsSeries } from '../../monitor/history/query';
import { ChartId, chartColumns, ChartSpec, chartSpecs, Resolution } from './chartSpecs';

export const rangeSeconds: Record<HistoryRange, number> = { '1h': 3600, '24h': 24 * 3600, '7d': 7 * 24 * 3600 };

/** A whole range for the graphs: what replaces everything they show. */
export interface ChartPayload {
  range: HistoryRange;
  resolution: Resolution;
  /** uPlot's x: seconds since the epoch, oldest first. */
  times: number[];
  /** Per chart its columns, in chartColumns() order, each as long as times. */
  columns: Record<ChartId, Column[]>;
  /** Why the history could not be read (the graphs then show what arrives live). */
  problem?: string;
}

/** One second that arrived live, per chart in chartColumns(…, 'second') order. */
export interface LiveRow {
  time: number;
  values: Record<ChartId, (number | null)[]>;
}

const emptyColumns = (): Record<ChartId, Column[]> => Object.fromEntries(chartSpecs.map((spec) => [spec.id, []])) as unknown as Record<ChartId, Column[]>;

/** A pause longer than this many steps (the box stopped, VS Code closed) is drawn as a gap, not bridged by a line. */
export const gapSteps = 3;

/** The times as seconds, with a null row one step after each sample that the next one follows by more than gapSteps steps. */
function timesWithGaps(times: readonly number[], stepMs: number): { times: number[]; sources: number[] } {
  const seconds: number[] = [];
  const sources: number[] = [];
  times.forEach((at, index) => {
    const before = times[index - 1];
    if (before !== undefined && at - before > gapSteps * stepMs) {
      seconds.push((before + stepMs) / 1000);
      sources.push(-1);
    }
    seconds.push(at / 1000);
    sources.push(index);
  });
  return { times: seconds, sources };
}

export function seriesPayload(series: MetricsSeries): ChartPayload {
  const { times, sources } = timesWithGaps(series.times, series.stepMs);
  const columns = emptyColumns();
  for (const spec of chartSpecs) {
    columns[spec.id] = chartColumns(spec, series.resolution).map(({ line, role }) => {
      const column = series.resolution === 'second' ? series.values[line.metric] : series[role === 'value' ? 'avg' : role][line.metric];
      // An empty history has no columns at all; the graphs want one per line all the same.
      return sources.map((source) => (source < 0 ? null : (column[source] ?? null)));
    });
  }
  const payload: ChartPayload = { range: series.range, resolution: series.resolution, times, columns };
  if (series.problem) payload.problem = series.problem;
  return payload;
}

const cell = (value: number): number | null => (Number.isFinite(value) ? value : null);

/**
 * A live sample as a row of the 1 s graphs: gauges as taken, counters as rates over the gap to the
 * sample before (rateBetween, the history's own rule), null where there is none.
 */
export function liveRow(previous: HistorySample | undefined, sample: HistorySample): LiveRow {
  const metrics = {} as Record<SeriesMetric, number | null>;
  for (const gauge of gauges) metrics[gauge] = cell(sample[gauge]);
  counters.forEach((counter: Counter) => {
    metrics[rateOf(counter)] = previous ? cell(rateBetween(previous.at, previous[counter], sample.at, sample[counter])) : null;
  });
  const values = {} as LiveRow['values'];
  for (const spec of chartSpecs) values[spec.id] = chartColumns(spec, 'second').map(({ line }) => metrics[line.metric]);
  return { time: sample.at / 1000, values };
}

/**
 * Appends live rows to a 1 s payload in place and drops what fell out of its range; a row not
 * newer than the last one (already in the history) is skipped. Returns how many rows were added.
 */
export function appendRows(payload: Pick<ChartPayload, 'times' | 'columns'>, rows: readonly LiveRow[], spanSeconds: number): number {
  const { times, columns } = payload;
  let added = 0;
  const push = (time: number, values: (spec: ChartSpec, index: number) => number | null): void => {
    times.push(time);
    for (const spec of chartSpecs) columns[spec.id].forEach((column, index) => column.push(values(spec, index)));
  };
  for (const row of rows) {
    const last = times[times.length - 1];
    if (last !== undefined && row.time <= last) continue;
    if (last !== undefined && row.time - last > gapSteps) push(last + 1, () => null);
    push(row.time, (spec, index) => row.values[spec.id][index] ?? null);
    added++;
  }
  const newest = times[times.length - 1];
  if (newest === undefined) return added;
  let stale = 0;
  while (stale < times.length && (times[stale] as number) <= newest - spanSeconds) stale++;
  if (stale > 0) {
    times.splice(0, stale);
    for (const spec of chartSpecs) columns[spec.id].forEach((column) => column.splice(0, stale));
  }
  return added;
}
