/** What the metrics panel and its webview say to each other (postMessage both ways). */
import type { ConnectionCounts } from '../../monitor/connections';
import type { HistoryRange } from '../../monitor/history/query';
import type { ChartPayload, LiveRow } from './chartData';

/** The panel's state line: whether samples arrive and whether they are kept. */
export interface PanelStatus {
  workspace: string;
  /** The workspace's stats stream runs (it is running and monitored). */
  live: boolean;
  /** aicli.monitor.history: off, the graphs show only what arrived since they opened. */
  recording: boolean;
}

export type ToWebview =
  | { type: 'series'; payload: ChartPayload; status: PanelStatus }
  | { type: 'rows'; rows: LiveRow[] }
  | { type: 'status'; status: PanelStatus }
  /** Counted in the box every few seconds while the panel shows and the workspace runs; the text says why not when it cannot be. */
  | { type: 'connections'; counts?: ConnectionCounts; text: string };

/** What the webview measured after drawing: the bench and the tests read it. */
export interface RenderReport {
  kind: 'series' | 'rows';
  range: HistoryRange;
  /** Points per line now shown. */
  points: number;
  /** The newest time shown (s), or 0. */
  newest: number;
  /** setData to the last chart drawn, in the webview (performance.now()). */
  ms: number;
  /** Content-Security-Policy violations the webview has seen (expected: 0). */
  cspViolations: number;
}

export type FromWebview = { type: 'ready'; range: HistoryRange } | { type: 'range'; range: HistoryRange } | ({ type: 'rendered' } & RenderReport);
