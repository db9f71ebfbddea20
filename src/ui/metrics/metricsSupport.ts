import * as vscode from 'vscode';
import { EngineLog } from '../../engine/connection';
import { MetricsHistory } from '../../monitor/history/history';
import { historySample } from '../../monitor/history/recorder';
import type { SecurityMonitor } from '../../monitor/monitor';
import type { Workspace } from '../../workspace/model';
import { CpuTrends } from './cpuTrends';
import { ConnectionCounter, MetricsPanel } from './metricsPanel';

export interface MetricsSupportOptions {
  extensionUri: vscode.Uri;
  log: { channel: vscode.LogOutputChannel; engineLog: EngineLog };
  /** aicli.monitor.history, read now and again when it changes. */
  historyEnabled: () => boolean;
  /** The history's folder; default the shared state folder's metrics/. */
  dir?: string;
}

/**
 * The window's metrics history and its graphs: one MetricsHistory for every engine, fed by each
 * scope's monitor (watch(), once per scope), the graph panels (one per workspace), and the ticker
 * tooltip's CPU trend. Disposed last: history off first, so a sample still in flight opens no
 * writer again, then every lock released.
 */
export class MetricsSupport implements vscode.Disposable {
  readonly history: MetricsHistory;
  readonly trends: CpuTrends;
  private readonly panels = new Map<string, MetricsPanel>();
  /** The workspaces whose stats stream runs now (by workspace id), for a panel's state line. */
  private readonly streaming = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: MetricsSupportOptions) {
    this.history = new MetricsHistory({ dir: options.dir, log: options.log.engineLog, enabled: options.historyEnabled() });
    this.trends = new CpuTrends(this.history);
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('aicli.monitor.history')) this.history.setEnabled(options.historyEnabled());
      }),
    ];
  }

  /** Records one engine's samples and feeds them to the open graphs, until the scope goes. */
  watch(monitor: SecurityMonitor): vscode.Disposable {
    const { stats } = monitor;
    const recording = this.history.attach(stats);
    const subscriptions = [
      stats.onSample((sample) => {
        this.streaming.add(sample.workspace.id);
        this.trends.sample(sample.workspace.id, sample.snapshot.readAt, sample.snapshot.cpuPercent);
        this.panels.get(sample.workspace.id)?.sample(historySample(sample.snapshot));
      }),
      stats.onDidRemove((workspace) => this.trends.forget(workspace.id)),
      stats.onDidChange((change) => {
        const live = change.kind !== 'unsubscribed';
        if (live) this.streaming.add(change.workspace.id);
        else this.streaming.delete(change.workspace.id);
        this.panels.get(change.workspace.id)?.setLive(live);
      }),
    ];
    return { dispose: () => [recording, ...subscriptions].forEach((subscription) => subscription.dispose()) };
  }

  /** The graphs of a workspace: the open panel brought to the front, or a new one. */
  open(workspace: Pick<Workspace, 'id' | 'name'>, connections?: ConnectionCounter): MetricsPanel {
    const open = this.panels.get(workspace.id);
    if (open) {
      open.reveal();
      return open;
    }
    const deps = { history: this.history, extensionUri: this.options.extensionUri, log: this.options.log.channel, connections };
    const panel = new MetricsPanel(workspace, deps, this.streaming.has(workspace.id), () => this.panels.delete(workspace.id));
    this.panels.set(workspace.id, panel);
    return panel;
  }

  /** The open panel of a workspace (tests reach the webview's reports through it). */
  panel(workspaceId: string): MetricsPanel | undefined {
    return this.panels.get(workspaceId);
  }

  dispose(): void {
    this.subscriptions.splice(0).forEach((subscription) => subscription.dispose());
    [...this.panels.values()].forEach((panel) => panel.dispose());
    this.history.setEnabled(false);
    this.history.dispose();
  }
}
