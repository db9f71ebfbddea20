/**
 * The graphs webview: asks the extension for its range when it loads, draws what it is sent
 * (ChartSet), appends live rows, and reports each render's time back. Keeps only its range in
 * the webview state: the history is read again when the panel is shown after being hidden.
 */
import 'uplot/dist/uPlot.min.css';
import './metrics.css';
import { isHistoryRange, type HistoryRange } from '../../../monitor/history/query';
import type { ChartPayload } from '../chartData';
import type { FromWebview, PanelStatus, ToWebview } from '../messages';
import { ChartSet } from './charts';
import { onThemeChange, readTheme } from './theme';

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as { range?: string } | undefined;
let range: HistoryRange = saved?.range && isHistoryRange(saved.range) ? saved.range : '1h';
let cspViolations = 0;
let status: PanelStatus | undefined;
let payload: ChartPayload | undefined;
let connections = '';

const container = document.querySelector('main.charts') as HTMLElement;
const statusLine = document.querySelector('header .status') as HTMLElement;
const buttons = [...document.querySelectorAll<HTMLButtonElement>('.ranges button')];
const charts = new ChartSet(container);

const post = (message: FromWebview): void => vscode.postMessage(message);
const rangeWords: Record<HistoryRange, string> = { '1h': 'last hour, 1 s', '24h': 'last 24 h, min–max per minute', '7d': 'last 7 days, min–max per minute' };

function showRange(): void {
  buttons.forEach((button) => button.setAttribute('aria-pressed', String(button.dataset.range === range)));
  document.body.dataset.range = range;
}

function showStatus(): void {
  const parts = [rangeWords[range], `${charts.points} ${charts.points === 1 ? 'point' : 'points'}`];
  if (status) parts.push(status.live ? 'live' : 'not running');
  if (status?.live && connections) parts.push(connections);
  if (status && !status.recording) parts.push('history off (aicli.monitor.history): only what arrived since this opened');
  if (payload?.problem) parts.push(payload.problem);
  else if (charts.points === 0) parts.push('no history yet: it is recorded while the workspace runs');
  statusLine.textContent = parts.join(' · ');
}

function report(kind: 'series' | 'rows', ms: number): void {
  document.body.dataset.points = String(charts.points);
  document.body.dataset.newest = String(charts.newest);
  document.body.dataset.renderMs = ms.toFixed(1);
  document.body.dataset.cspViolations = String(cspViolations);
  showStatus();
  post({ type: 'rendered', kind, range, points: charts.points, newest: charts.newest, ms, cspViolations });
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message.type === 'series') {
    payload = message.payload;
    status = message.status;
    range = payload.range;
    vscode.setState({ range });
    showRange();
    void charts.render(payload, readTheme()).then((ms) => report('series', ms));
  } else if (message.type === 'rows') {
    void charts.append(message.rows)?.then((ms) => report('rows', ms));
  } else if (message.type === 'status') {
    status = message.status;
    showStatus();
  } else if (message.type === 'connections') {
    connections = message.text;
    document.body.dataset.connections = message.counts ? String(message.counts.established) : '';
    showStatus();
  }
});

buttons.forEach((button) =>
  button.addEventListener('click', () => {
    const picked = button.dataset.range ?? '';
    if (!isHistoryRange(picked) || picked === range) return;
    range = picked;
    vscode.setState({ range });
    showRange();
    post({ type: 'range', range });
  }),
);

document.addEventListener('securitypolicyviolation', () => cspViolations++);
onThemeChange(() => void charts.retheme(readTheme()));
new ResizeObserver(() => charts.resize()).observe(container);
showRange();
post({ type: 'ready', range });
