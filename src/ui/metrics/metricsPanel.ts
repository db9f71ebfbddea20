import * as vscode from 'vscode';
import { HistorySample, minuteOf } from '../../monitor/history/format';
import { HistoryRange, isHistoryRange } from '../../monitor/history/query';
import type { MetricsHistory } from '../../monitor/history/history';
import { ConnectionCounts, formatConnections } from '../../monitor/connections';
import { liveRow, LiveRow, seriesPayload } from './chartData';
import { FromWebview, PanelStatus, RenderReport, ToWebview } from './messages';
import { metricsHtml } from './metricsHtml';

export const metricsViewType = 'aicli.metrics';
/** Live rows go to the webview at most this often (samples come once a second per workspace). */
const postIntervalMs = 1000;
/** How often the connections are counted (one exec in the box) while the panel shows a running workspace. */
const connectionsIntervalMs = 5000;

/** Counts the connections in the running box; undefined when it does not run. */
export type ConnectionCounter = () => Promise<ConnectionCounts | undefined>;

export interface MetricsPanelDeps {
  history: Pick<MetricsHistory, 'series' | 'latest' | 'enabled'>;
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  connections?: ConnectionCounter;
}

/**
 * One workspace's graphs. The webview asks for a range when it loads (also after being hidden:
 * it keeps only its range, by getState, and the history is read again); live samples are posted
 * as rows of the 1 s range, or make the 24 h / 7 d ranges read again when a minute is complete.
 * Nothing is posted while the panel is hidden.
 */
export class MetricsPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private range: HistoryRange = '1h';
  /** The last sample the webview has (totals, for the next row's rates), and its minute. */
  private previous: HistorySample | undefined;
  private newestMinute = 0;
  private pending: LiveRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastPost = 0;
  private loaded = false;
  private live: boolean;
  private connectionsTimer: NodeJS.Timeout | undefined;
  private counting = false;
  private readonly renderEmitter = new vscode.EventEmitter<RenderReport>();
  /** Each report of the webview after it drew (what the tests and the bench read). */
  readonly onDidRender = this.renderEmitter.event;
  lastRender: RenderReport | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    readonly workspace: { id: string; name: string },
    private readonly deps: MetricsPanelDeps,
    live: boolean,
    onDispose: () => void,
  ) {
    this.live = live;
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel(
      metricsViewType,
      `Metrics: ${workspace.name}`,
      { viewColumn: vscode.ViewColumn.Active },
      { enableScripts: true, localResourceRoots: [dist] },
    );
    const { webview } = this.panel;
    webview.html = metricsHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'metrics-webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'metrics-webview.css')).toString(),
      title: `Metrics of ${workspace.name}`,
    });
    this.subscriptions = [
      webview.onDidReceiveMessage((message: FromWebview) => this.received(message)),
      this.panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; it asks again ('ready') when shown.
        if (!this.panel.visible) this.loaded = false;
      }),
      // Closed by the user or by dispose(): either way the panel's parts go and the registry forgets it.
      this.panel.onDidDispose(() => {
        clearTimeout(this.timer);
        clearTimeout(this.connectionsTimer);
        this.subscriptions.splice(0).forEach((subscription) => subscription.dispose());
        onDispose();
      }),
      this.renderEmitter,
    ];
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** What the range buttons do: the whole range read and drawn again. */
  showRange(range: HistoryRange): void {
    this.range = range;
    this.load();
  }

  /** A sample of this workspace's stats stream. */
  sample(sample: HistorySample): void {
    if (!this.loaded || !this.panel.visible) return;
    if (this.previous && sample.at <= this.previous.at) return;
    if (this.range !== '1h') {
      // The history completes a minute when the next one begins: read the range again then.
      if (minuteOf(sample.at) > this.newestMinute) this.load();
      return;
    }
    this.pending.push(liveRow(this.previous, sample));
    this.previous = sample;
    this.schedule();
  }

  /** The workspace's stream started or ended (running, or stopped, paused, gone). */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    if (this.loaded) void this.post({ type: 'status', status: this.status() });
    if (live) this.countConnections();
  }

  dispose(): void {
    this.panel.dispose();
  }

  private received(message: FromWebview): void {
    if (message.type === 'rendered') {
      const { type: _type, ...report } = message;
      this.lastRender = report;
      if (report.cspViolations > 0) this.deps.log.warn(`metrics of ${this.workspace.name}: ${report.cspViolations} Content-Security-Policy violation(s)`);
      this.renderEmitter.fire(report);
      return;
    }
    if (isHistoryRange(message.range)) this.showRange(message.range);
  }

  private status(): PanelStatus {
    return { workspace: this.workspace.name, live: this.live, recording: this.deps.history.enabled };
  }

  /** The whole range from the history; live rows go on from its newest sample. */
  private load(): void {
    const now = Date.now();
    const series = this.deps.history.series(this.workspace.id, this.range, now);
    const latest = this.deps.history.latest(this.workspace.id);
    const newest = series.times[series.times.length - 1];
    // Rates of the next live row are taken against the newest stored sample when the series ends with it.
    this.previous = this.range === '1h' && latest && newest !== undefined && latest.at === newest ? latest : undefined;
    this.newestMinute = minuteOf(now);
    this.pending = [];
    this.loaded = true;
    if (series.problem) this.deps.log.warn(`metrics of ${this.workspace.name}: ${series.problem}`);
    void this.post({ type: 'series', payload: seriesPayload(series), status: this.status() });
    this.countConnections();
  }

  /** One count now and the next in a few seconds, while the panel shows a running workspace; one chain at a time. */
  private countConnections(): void {
    const counter = this.deps.connections;
    if (!counter || this.counting || this.connectionsTimer) return;
    if (!this.loaded || !this.panel.visible || !this.live) return;
    this.counting = true;
    counter()
      .then(
        (counts) => ({ counts, text: counts ? `connections ${formatConnections(counts)}` : 'connections: not running' }),
        (err: Error) => ({ counts: undefined, text: `connections: cannot count them (${err.message})` }),
      )
      .then((message) => {
        this.counting = false;
        if (!this.loaded) return;
        void this.post({ type: 'connections', ...message });
        this.connectionsTimer = setTimeout(() => {
          this.connectionsTimer = undefined;
          this.countConnections();
        }, connectionsIntervalMs);
      });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(0, this.lastPost + postIntervalMs - Date.now()),
    );
  }

  private flush(): void {
    if (this.pending.length === 0 || !this.loaded) return;
    const rows = this.pending;
    this.pending = [];
    this.lastPost = Date.now();
    void this.post({ type: 'rows', rows });
  }

  private post(message: ToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }
}
