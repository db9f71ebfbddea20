import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { SecurityMonitor } from '../../monitor/monitor';
import { WorkspaceStats } from '../../monitor/statsStream';
import { Workspace } from '../../workspace/model';
import { policyUri } from './policyDocument';

export type TickerMode = 'auto' | 'aggregate';
const minIntervalMs = 1000;
/**
 * The tooltip (a Markdown table) is rebuilt at most this often while only its numbers change:
 * VS Code parses a MarkdownString in the extension host each time it is set, which with 20
 * workspaces was a good part of the host's garbage (bench/monitor). A workspace coming or going,
 * or an alert, rebuilds it at once.
 */
const tooltipIntervalMs = 10_000;
const pct = (value: number | undefined): string => (value === undefined ? '–' : `${Math.round(value)}%`);

/**
 * "3 running · 42% CPU · 380/512 MiB": the workspace of the open folder, or all of them.
 * Driven by the stats stream; redrawn at most once a second and only when the text changes.
 */
export class StatusTicker implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('aicli.ticker', vscode.StatusBarAlignment.Left, 10);
  private readonly latest = new Map<string, WorkspaceStats>();
  /** One per engine (see watch()). */
  private readonly monitors = new Set<SecurityMonitor>();
  private lastRender = 0;
  private timer: NodeJS.Timeout | undefined;
  private visible = false;
  private warning = false;
  private tooltipAt = 0;
  private tooltipOf = '';

  constructor(
    private readonly settings: () => { enabled: boolean; mode: TickerMode },
    private readonly openFolders: () => string[],
    /** The live index's view of a container, for its folder and for the actions. */
    readonly lookup: (containerId: string) => Workspace | undefined,
    /** A workspace's CPU over the last minutes as a tooltip line (a sparkline from the metrics history). */
    private readonly cpuTrend: (workspaceId: string) => string | undefined = () => undefined,
  ) {
    this.item.name = 'AICLI Workspaces stats';
    this.item.command = 'aicli.ticker.pick';
  }

  /** Adds one engine's monitor: the ticker sums over every engine. */
  watch(monitor: SecurityMonitor): { dispose(): void } {
    this.monitors.add(monitor);
    const subscriptions = [
      monitor.stats.onSample((stats) => {
        this.latest.set(stats.workspace.containerId, stats);
        this.schedule();
      }),
      monitor.stats.onDidChange((change) => {
        if (change.kind === 'unsubscribed') this.latest.delete(change.workspace.containerId);
        this.schedule();
      }),
      monitor.alerts.onDidChange(() => this.schedule()),
    ];
    return {
      dispose: () => {
        subscriptions.forEach((subscription) => subscription.dispose());
        this.monitors.delete(monitor);
        // Which samples were that engine's is not kept; the others' refill within a second.
        this.latest.clear();
        this.schedule();
      },
    };
  }

  /** The workspaces the ticker speaks of now. */
  shown(): WorkspaceStats[] {
    const all = [...this.latest.values()].sort((a, b) => a.workspace.name.localeCompare(b.workspace.name));
    if (this.settings().mode === 'aggregate') return all;
    const folders = this.openFolders();
    const ofFolder = all.filter((stats) => folders.includes(this.folderOf(stats)));
    return ofFolder.length ? ofFolder : all;
  }

  /** Text of the item right now (also what tests read). */
  text(): string {
    const shown = this.shown();
    if (shown.length === 0) return '';
    const cpu = shown.reduce((sum, s) => sum + (s.snapshot.cpuPercent ?? 0), 0);
    const used = shown.reduce((sum, s) => sum + s.snapshot.memoryUsedBytes, 0);
    const limit = shown.reduce((sum, s) => sum + (s.snapshot.memoryLimitBytes ?? 0), 0);
    const head = shown.length === 1 ? (shown[0] as WorkspaceStats).workspace.name : `${shown.length} running`;
    return `$(vm-running) ${head} · ${pct(cpu)} CPU · ${formatBytes(used, limit)}`;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }

  private folderOf(stats: WorkspaceStats): string {
    return this.lookup(stats.workspace.containerId)?.folder ?? '';
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastRender + minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRender = Date.now();
      this.render();
    }, wait);
  }

  private render(): void {
    if (!this.settings().enabled) {
      this.hide();
      return;
    }
    const text = this.text();
    if (!text) {
      this.hide();
      return;
    }
    const shown = this.shown();
    const ids = new Set(shown.map((stats) => stats.workspace.containerId));
    const violations = [...this.monitors].flatMap((monitor) =>
      monitor.alerts.list((alert) => ids.has(alert.workspace.containerId) && alert.type === 'resource_violation'),
    );
    const warning = violations.length > 0;
    // Every property set on a status bar item is a message to the window: set only what changed.
    if (text !== this.item.text || warning !== this.warning) {
      this.warning = warning;
      this.item.text = text;
      this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      // Which workspaces, and whether any alert: what makes an older tooltip wrong, not merely old.
      const tooltipOf = `${[...ids].join(',')}|${warning}|${this.alertCount()}`;
      if (tooltipOf !== this.tooltipOf || Date.now() - this.tooltipAt >= tooltipIntervalMs) {
        this.item.tooltip = this.tooltip(shown);
        this.tooltipOf = tooltipOf;
        this.tooltipAt = Date.now();
      }
      this.item.accessibilityInformation = { label: text.replace(/\$\([^)]*\)\s*/, '') };
    }
    if (!this.visible) this.item.show();
    this.visible = true;
  }

  private hide(): void {
    if (this.visible) this.item.hide();
    this.visible = false;
  }

  private alertCount(): number {
    return [...this.monitors].reduce((sum, monitor) => sum + monitor.alerts.summary().total, 0);
  }

  private tooltip(shown: WorkspaceStats[]): vscode.MarkdownString {
    const markdown = new vscode.MarkdownString(
      `**AICLI Workspaces** (${new Date().toLocaleTimeString()})\n\n| workspace | CPU | memory | pids | net rx/tx |\n|---|---:|---:|---:|---:|\n`,
    );
    for (const { workspace, snapshot } of shown) {
      markdown.appendMarkdown(
        `| ${workspace.name} | ${pct(snapshot.cpuPercent)} | ${formatBytes(snapshot.memoryUsedBytes, snapshot.memoryLimitBytes ?? 0)} | ${snapshot.pids}/${snapshot.pidsLimit ?? '–'} | ${formatBytes(snapshot.networkRxBytes, snapshot.networkTxBytes)} |\n`,
      );
    }
    const trends = shown.flatMap(({ workspace }) => {
      const line = this.cpuTrend(workspace.id);
      return line ? [`${workspace.name} ${line}`] : [];
    });
    if (trends.length) markdown.appendMarkdown(`\n${trends.join('  \n')}\n`);
    const total = this.alertCount();
    if (total) markdown.appendMarkdown(`\n${total} alert(s): see the Problems panel.`);
    return markdown;
  }
}

/** Click on the ticker: workspaces with live numbers, then what to do with the one picked. */
export async function pickFromTicker(ticker: StatusTicker): Promise<void> {
  const items = ticker.shown().map((stats) => ({
    label: stats.workspace.name,
    description: `${pct(stats.snapshot.cpuPercent)} CPU · ${formatBytes(stats.snapshot.memoryUsedBytes, stats.snapshot.memoryLimitBytes ?? 0)} · ${stats.snapshot.pids} pids`,
    stats,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'AICLI workspaces (live)' });
  if (!picked) return;
  const workspace = ticker.lookup(picked.stats.workspace.containerId);
  const node = workspace ? { kind: 'workspace' as const, workspace } : undefined;
  const actions = [
    { label: '$(terminal) Open Terminal', run: () => vscode.commands.executeCommand('aicli.openTerminal', node) },
    { label: '$(output) Show Logs', run: () => vscode.commands.executeCommand('aicli.showLogs', node) },
    { label: '$(graph) Show Metrics', run: () => vscode.commands.executeCommand('aicli.showMetrics', node) },
    { label: '$(shield) Open Policy and Alerts', run: () => vscode.window.showTextDocument(policyUri(picked.stats.workspace)) },
    { label: '$(debug-pause) Pause', run: () => vscode.commands.executeCommand('aicli.monitor.pause', picked.stats.workspace.containerId) },
    { label: '$(debug-stop) Stop', run: () => vscode.commands.executeCommand('aicli.monitor.stop', picked.stats.workspace.containerId) },
  ];
  const action = await vscode.window.showQuickPick(actions, { title: picked.label });
  await action?.run();
}
