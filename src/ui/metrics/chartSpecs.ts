/**
 * The graphs of a workspace's metrics, as a table: which chart shows which series of the history,
 * in what unit and colour. The extension shapes the history into columns in this order
 * (chartData.ts) and the webview draws them (webview/charts.ts): both read this one table, so the
 * columns a chart receives are the ones it expects. Pure: no vscode, no DOM.
 */
import { formatBytes } from '../../engine/bytes';
import type { SeriesMetric } from '../../monitor/history/format';

export type ChartUnit = 'percent' | 'bytes' | 'count' | 'bytesPerSecond';
export type ChartId = 'cpu' | 'memory' | 'pids' | 'network' | 'disk';
export type Resolution = 'second' | 'minute';

export interface ChartLine {
  metric: SeriesMetric;
  label: string;
  /** A colour of VS Code's charts palette, by its CSS variable in the webview. */
  color: ChartColor;
  /** A limit: drawn dashed, and as its minute's maximum without a band. */
  limit?: boolean;
}

export interface ChartSpec {
  id: ChartId;
  title: string;
  unit: ChartUnit;
  lines: readonly ChartLine[];
  /** The y axis reaches at least this (CPU: one CPU, 100 %), so a quiet box does not look busy. */
  floor?: number;
}

export const chartColors = ['blue', 'red', 'green', 'yellow', 'orange', 'purple'] as const;
export type ChartColor = (typeof chartColors)[number];

export const chartSpecs: readonly ChartSpec[] = [
  { id: 'cpu', title: 'CPU (100 % = one CPU)', unit: 'percent', floor: 100, lines: [{ metric: 'cpuPercent', label: 'CPU', color: 'blue' }] },
  {
    id: 'memory',
    title: 'Memory',
    unit: 'bytes',
    lines: [
      { metric: 'memoryBytes', label: 'used', color: 'purple' },
      { metric: 'memoryLimitBytes', label: 'limit', color: 'red', limit: true },
    ],
  },
  { id: 'pids', title: 'Processes', unit: 'count', floor: 5, lines: [{ metric: 'pids', label: 'pids', color: 'yellow' }] },
  {
    id: 'network',
    title: 'Network',
    unit: 'bytesPerSecond',
    floor: 1024,
    lines: [
      { metric: 'netRxBytesPerSecond', label: 'rx', color: 'green' },
      { metric: 'netTxBytesPerSecond', label: 'tx', color: 'orange' },
    ],
  },
  {
    id: 'disk',
    title: 'Disk',
    unit: 'bytesPerSecond',
    floor: 1024,
    lines: [
      { metric: 'blockReadBytesPerSecond', label: 'read', color: 'green' },
      { metric: 'blockWriteBytesPerSecond', label: 'write', color: 'orange' },
    ],
  },
];

/** What a column of a chart holds: a second's value, or its minute's mean, minimum or maximum. */
export type ColumnRole = 'value' | 'avg' | 'min' | 'max';

export interface ChartColumn {
  line: ChartLine;
  role: ColumnRole;
}

/**
 * A chart's columns, in the order of its data after the x column: at 1 s one per line; at 1 min
 * each line's mean, then its minimum and maximum (the band), and a limit's maximum alone.
 */
export function chartColumns(spec: ChartSpec, resolution: Resolution): ChartColumn[] {
  if (resolution === 'second') return spec.lines.map((line) => ({ line, role: 'value' }));
  return spec.lines.flatMap((line): ChartColumn[] =>
    line.limit
      ? [{ line, role: 'max' }]
      : [
          { line, role: 'avg' },
          { line, role: 'min' },
          { line, role: 'max' },
        ],
  );
}

/** The min–max bands of a chart as uPlot names them: [upper, lower] series indices (1-based: 0 is x). */
export function bandPairs(columns: readonly ChartColumn[]): [number, number][] {
  const pairs: [number, number][] = [];
  columns.forEach((column, index) => {
    if (column.role !== 'max' || column.line.limit) return;
    const lower = columns.findIndex((other) => other.line === column.line && other.role === 'min');
    if (lower >= 0) pairs.push([index + 1, lower + 1]);
  });
  return pairs;
}

/** A column's legend label: "rx", or "rx avg" / "rx min" / "rx max" at 1 min. */
export function columnLabel(column: ChartColumn): string {
  return column.role === 'value' || column.line.limit ? column.line.label : `${column.line.label} ${column.role}`;
}

/** How a value of a chart reads on its axis and in its legend; "–" where it is unknown. */
export function formatValue(unit: ChartUnit, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'percent':
      return `${value > 0 && value < 10 ? value.toFixed(1) : Math.round(value)} %`;
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case 'bytes':
      return formatBytes(value);
    case 'bytesPerSecond':
      return `${formatBytes(value)}/s`;
  }
}

const pad = (value: number): string => String(value).padStart(2, '0');

/**
 * A time axis label in local time, as precise as the axis step needs: "18:04:10" for steps under
 * a minute, "18:04" under a day (the day itself, "Dec 2", at midnight), the day for longer steps.
 */
export function timeLabel(seconds: number, stepSeconds: number): string {
  const date = new Date(seconds * 1000);
  if (stepSeconds >= 86_400) return dayFormat.format(date);
  const minutes = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (stepSeconds < 60) return `${minutes}:${pad(date.getSeconds())}`;
  return minutes === '00:00' ? dayFormat.format(date) : minutes;
}

// One formatter: making one per label (toLocaleDateString) was most of a first draw's time.
const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' });

/** Axis steps that read as round numbers of the unit: binary ones for bytes, decimal ones otherwise. */
export function axisSteps(unit: ChartUnit): number[] {
  const mantissas = unit === 'bytes' || unit === 'bytesPerSecond' ? [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] : [1, 2, 5, 10, 20, 50, 100, 200, 500];
  const base = unit === 'bytes' || unit === 'bytesPerSecond' ? 1024 : 1000;
  const steps: number[] = unit === 'percent' ? [0.1, 0.2, 0.5] : [];
  for (let power = 0; power < 5; power++) steps.push(...mantissas.map((mantissa) => mantissa * base ** power));
  return steps;
}

/** The top of a chart's y axis: the largest value with some room above, and at least the chart's floor. */
export function axisTop(spec: Pick<ChartSpec, 'floor'>, dataMax: number | null | undefined): number {
  const top = Number.isFinite(dataMax) && (dataMax as number) > 0 ? (dataMax as number) * 1.1 : 1;
  return Math.max(top, spec.floor ?? 0);
}

/**
 * A theme colour with an alpha, for the band under a line: the webview reads its colours from
 * VS Code's CSS variables, which hold #rgb, #rrggbb(aa) or rgb()/rgba(). Anything else is returned
 * as it is (drawn opaque rather than not at all).
 */
export function withAlpha(color: string, alpha: number): string {
  const text = color.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(text)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const full = hex.length <= 4 ? [...hex].map((digit) => digit + digit).join('') : hex;
    const [r, g, b] = [0, 2, 4].map((at) => parseInt(full.slice(at, at + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(text);
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  return text;
}
