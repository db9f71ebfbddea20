import { formatBytes } from '../../engine/bytes';
import { ConnectionCounts, formatConnections } from '../connections';
import { table } from '../reportTable';
import { Counter, counters, gauges, HistorySample, SeriesMetric } from './format';
import { HistoryRange, MetricsSeries, SeriesSummary, summarizeSeries } from './query';

/** The latest values of a workspace: totals for the counters; null where unknown. */
export type LatestJson = { source: 'engine' | 'history'; at: string } & Record<(typeof gauges)[number] | Counter, number | null>;

/** What `aicli-ws stats NAME` prints: the latest sample, then the history over the range. */
export interface StatsReport {
  workspace: { id: string; name: string; state: string };
  historyDir: string;
  latest: LatestJson | null;
  /** Counted in the box now (running workspaces only; null when it could not be counted). */
  connections: ConnectionCounts | null;
  range: HistoryRange;
  summary: SeriesSummary;
  series: MetricsSeries;
}

const orNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function latestJson(sample: HistorySample, source: LatestJson['source']): LatestJson {
  const latest = { source, at: new Date(sample.at).toISOString() } as LatestJson;
  for (const name of [...gauges, ...counters]) latest[name] = orNull(sample[name]);
  return latest;
}

export function statsReport(
  workspace: StatsReport['workspace'],
  historyDir: string,
  latest: LatestJson | null,
  connections: ConnectionCounts | null,
  series: MetricsSeries,
): StatsReport {
  return { workspace, historyDir, latest, connections, range: series.range, summary: summarizeSeries(series), series };
}

type Format = (value: number) => string;
const percent: Format = (value) => `${value.toFixed(1)} %`;
const bytes: Format = (value) => formatBytes(value);
const bytesPerSecond: Format = (value) => `${formatBytes(value)}/s`;
const perSecond: Format = (value) => `${value.toFixed(1)}/s`;
const count: Format = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

interface Row {
  label: string;
  metric: SeriesMetric;
  /** How the history's values read (rates for counters). */
  format: Format;
  latest: (latest: LatestJson) => string;
}

const known = (value: number | null, format: Format): string => (value === null ? '–' : format(value));

/** One row per metric of the human output; the memory limit shows beside the memory. */
const rows: Row[] = [
  { label: 'CPU', metric: 'cpuPercent', format: percent, latest: (l) => known(l.cpuPercent, percent) },
  {
    label: 'memory',
    metric: 'memoryBytes',
    format: bytes,
    latest: (l) => (l.memoryBytes !== null && l.memoryLimitBytes !== null ? formatBytes(l.memoryBytes, l.memoryLimitBytes) : known(l.memoryBytes, bytes)),
  },
  { label: 'pids', metric: 'pids', format: count, latest: (l) => known(l.pids, count) },
  ...(
    [
      ['net rx', 'netRxBytes', bytesPerSecond, bytes],
      ['net tx', 'netTxBytes', bytesPerSecond, bytes],
      ['net rx packets', 'netRxPackets', perSecond, count],
      ['net tx packets', 'netTxPackets', perSecond, count],
      ['block read', 'blockReadBytes', bytesPerSecond, bytes],
      ['block write', 'blockWriteBytes', bytesPerSecond, bytes],
    ] as [string, Counter, Format, Format][]
  ).map(([label, counter, rate, total]): Row => ({ label, metric: `${counter}PerSecond`, format: rate, latest: (l) => known(l[counter], total) })),
];

const rangeWords: Record<HistoryRange, string> = { '1h': 'the last hour', '24h': 'the last 24 hours', '7d': 'the last 7 days' };

export function formatStatsReport(report: StatsReport): string {
  const { workspace, latest, series, summary } = report;
  const head = `${workspace.name} (${workspace.id}), ${workspace.state}`;
  const when = latest ? `latest sample ${latest.at} (${latest.source === 'engine' ? 'from the engine' : 'from the history'})` : 'no sample';
  const lines = [`${head}; ${when}`];
  if (report.connections) lines.push(`connections now: ${formatConnections(report.connections)}`);
  if (series.problem) lines.push(series.problem);
  const points = series.times.length;
  if (points === 0) {
    lines.push(`No history over ${rangeWords[report.range]} in ${report.historyDir}: it is recorded while VS Code monitors the workspace.`);
    if (latest)
      lines.push(
        '',
        table(
          ['METRIC', 'LATEST'],
          rows.map((row) => [row.label, row.latest(latest)]),
        ),
      );
    return lines.join('\n');
  }
  const step = series.resolution === 'second' ? '1 s' : '1 min';
  lines.push(`History over ${rangeWords[report.range]}: ${points} points at ${step}; counters as rates per second`, '');
  const cells = rows.map((row) => {
    const stats = summary[row.metric];
    const values = stats ? [stats.min, stats.avg, stats.max].map(row.format) : ['–', '–', '–'];
    return [row.label, latest ? row.latest(latest) : '–', ...values];
  });
  lines.push(table(['METRIC', 'LATEST', 'MIN', 'AVG', 'MAX'], cells));
  return lines.join('\n');
}
