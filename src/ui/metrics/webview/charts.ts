import uPlot from 'uplot';
import { appendRows, ChartPayload, LiveRow, rangeSeconds } from '../chartData';
import { axisSteps, axisTop, bandPairs, ChartColumn, chartColumns, ChartSpec, chartSpecs, columnLabel, formatValue, timeLabel, withAlpha } from '../chartSpecs';
import { Theme } from './theme';

const chartHeight = 170;

/** Without the pointer over a chart its legend shows the newest values, not dashes. */
function legendAtNewest(plot: uPlot): void {
  const count = plot.data[0]?.length ?? 0;
  if (plot.cursor.idx === null || plot.cursor.idx === undefined) {
    if (count > 0) plot.setLegend({ idx: count - 1 }, false);
  }
}

interface Plot {
  spec: ChartSpec;
  plot: uPlot;
}

/** A young box's few samples are not stretched over the whole width: the x axis spans at least 30 steps. */
const minimumSteps = 30;

/**
 * The lines of a chart. At 1 min the min and max columns draw only the band's faint edges and stay
 * out of the legend: the mean's value there reads "55 % (33–82 %)". A lone point shows as a dot.
 */
const valueAt = (plot: uPlot, series: number, index: number | null): number | null | undefined => (index === null ? null : plot.data[series]?.[index]);

function seriesOf(spec: ChartSpec, columns: ChartColumn[], theme: Theme): uPlot.Series[] {
  const format = (value: number | null | undefined): string => formatValue(spec.unit, value);
  return columns.map((column): uPlot.Series => {
    const color = theme.colors[column.line.color];
    const edge = (column.role === 'min' || column.role === 'max') && !column.line.limit;
    const lower = columns.findIndex((other) => other.line === column.line && other.role === 'min') + 1;
    const upper = columns.findIndex((other) => other.line === column.line && other.role === 'max') + 1;
    return {
      label: columnLabel(column),
      class: edge ? 'band-edge' : undefined,
      stroke: edge ? withAlpha(color, 0.35) : color,
      width: edge ? 0.5 : column.line.limit ? 1 : 1.5,
      dash: column.line.limit ? [6, 4] : undefined,
      points: { show: (_plot, _series, first, last) => !edge && last - first < 2 },
      value:
        column.role === 'avg'
          ? (plot, value, _series, at) => `${format(value)} (${format(valueAt(plot, lower, at))}–${format(valueAt(plot, upper, at))})`
          : (_plot, value) => format(value),
    };
  });
}

function chartOptions(spec: ChartSpec, payload: ChartPayload, theme: Theme, width: number, onDraw: () => void): uPlot.Options {
  const columns = chartColumns(spec, payload.resolution);
  const step = payload.resolution === 'second' ? 1 : 60;
  const axis = { stroke: theme.foreground, font: theme.font, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 } };
  return {
    title: spec.title,
    width,
    height: chartHeight,
    scales: {
      x: { time: true, range: (_plot, min, max) => (Number.isFinite(max) ? [Math.min(min, max - minimumSteps * step), max] : [min, max]) },
      y: { range: (_plot, _min, max) => [0, axisTop(spec, max)] },
    },
    axes: [
      { ...axis, size: 32, values: (_plot, splits, _axis, _space, step) => splits.map((value) => timeLabel(value, step)) },
      { ...axis, size: 78, incrs: axisSteps(spec.unit), values: (_plot, splits) => splits.map((value) => formatValue(spec.unit, value)) },
    ],
    series: [{ value: (_plot, value) => (value === null ? '–' : timeLabel(value, step)) }, ...seriesOf(spec, columns, theme)],
    bands: bandPairs(columns).map(([upper, lower]) => ({
      series: [upper, lower] as [number, number],
      fill: withAlpha(theme.colors[(columns[upper - 1] as (typeof columns)[number]).line.color], 0.22),
    })),
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [onDraw, legendAtNewest], setCursor: [legendAtNewest] },
  };
}

/**
 * The five charts of chartSpecs over one payload. Each render reports how long the webview took
 * from setData to the last chart drawn (uPlot draws in a microtask after setData): the bench's
 * number for 1 h at 1 s.
 */
export class ChartSet {
  private plots: Plot[] = [];
  private payload: ChartPayload | undefined;
  /** What the plots were built for: a new resolution or theme builds them again. */
  private builtFor = '';
  private drawn: (() => void) | undefined;

  constructor(private readonly container: HTMLElement) {}

  get points(): number {
    return this.payload?.times.length ?? 0;
  }

  get newest(): number {
    const times = this.payload?.times ?? [];
    return times[times.length - 1] ?? 0;
  }

  render(payload: ChartPayload, theme: Theme): Promise<number> {
    this.payload = payload;
    return this.measure(() => {
      const key = `${payload.resolution} ${theme.key}`;
      if (key !== this.builtFor) this.build(theme, key);
      else this.plots.forEach((entry) => entry.plot.setData(this.dataOf(entry.spec)));
    });
  }

  /** Live rows of the 1 s range; 0 when none was new (nothing drawn). */
  append(rows: readonly LiveRow[]): Promise<number> | undefined {
    const payload = this.payload;
    if (!payload || payload.resolution !== 'second') return undefined;
    if (appendRows(payload, rows, rangeSeconds[payload.range]) === 0) return undefined;
    return this.measure(() => this.plots.forEach((entry) => entry.plot.setData(this.dataOf(entry.spec))));
  }

  /** The theme changed: the same data with the new colours. */
  retheme(theme: Theme): Promise<number> | undefined {
    return this.payload ? this.render(this.payload, theme) : undefined;
  }

  resize(): void {
    const width = this.width();
    this.plots.forEach((entry) => entry.plot.setSize({ width, height: chartHeight }));
  }

  private build(theme: Theme, key: string): void {
    this.plots.forEach((entry) => entry.plot.destroy());
    this.container.replaceChildren();
    const width = this.width();
    this.plots = chartSpecs.map((spec) => {
      const element = document.createElement('section');
      element.className = `chart chart-${spec.id}`;
      element.dataset.chart = spec.id;
      this.container.append(element);
      return {
        spec,
        plot: new uPlot(
          chartOptions(spec, this.payload as ChartPayload, theme, width, () => this.drawn?.()),
          this.dataOf(spec),
          element,
        ),
      };
    });
    this.builtFor = key;
  }

  private dataOf(spec: ChartSpec): uPlot.AlignedData {
    const payload = this.payload as ChartPayload;
    return [payload.times, ...payload.columns[spec.id]] as uPlot.AlignedData;
  }

  /** One chart per row of the grid's track: the grid sets the track, uPlot needs pixels. */
  private width(): number {
    const columns = getComputedStyle(this.container).gridTemplateColumns.split(' ').filter(Boolean).length || 1;
    const gap = parseFloat(getComputedStyle(this.container).columnGap) || 0;
    return Math.max(240, Math.floor((this.container.clientWidth - gap * (columns - 1)) / columns));
  }

  /** Runs `apply` and resolves with the time until every chart has drawn (or 1 s, whichever is first). */
  private measure(apply: () => void): Promise<number> {
    const started = performance.now();
    return new Promise((resolve) => {
      let left = chartSpecs.length;
      const done = (): void => {
        this.drawn = undefined;
        clearTimeout(fallback);
        resolve(performance.now() - started);
      };
      const fallback = setTimeout(done, 1000);
      this.drawn = () => {
        if (--left === 0) done();
      };
      apply();
    });
  }
}
