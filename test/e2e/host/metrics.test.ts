// The graphs in the extension host: Show Metrics opens a panel for a workspace under a CPU
// burner, its webview draws the history and then the live rows the monitor's samples bring;
// the ticker's CPU trend shows the burner. The bench: 1 h at 1 s drawn in the webview.
import * as assert from 'assert';
import { rmSync } from 'fs';
import { loadavg } from 'os';
import { Writable } from 'stream';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { HistorySample } from '../../../src/monitor/history/format';
import type { MetricsPanel } from '../../../src/ui/metrics/metricsPanel';
import type { RenderReport } from '../../../src/ui/metrics/messages';
import type { Workspace } from '../../../src/workspace/model';
import { activeApi, defaultScope, labelCreations, projectFolder, sweep, until } from './support';

const sink = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });

/** The panel's next render report that `accepts`, or an error after timeoutMs. */
function nextRender(panel: MetricsPanel, timeoutMs: number, accepts: (report: RenderReport) => boolean): Promise<RenderReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`no render report within ${timeoutMs} ms (last: ${JSON.stringify(panel.lastRender)})`));
    }, timeoutMs);
    const listener = panel.onDidRender((report) => {
      if (!accepts(report)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(report);
    });
  });
}

/** An hour of made-up samples ending a second ago: a CPU wave, memory drifting, steady traffic. */
function syntheticHour(now: number): HistorySample[] {
  return Array.from({ length: 3600 }, (_, index) => {
    const second = index - 3600;
    return {
      at: now + second * 1000,
      cpuPercent: 50 + 45 * Math.sin(index / 120),
      memoryBytes: (200 + 100 * Math.sin(index / 600)) * 2 ** 20,
      memoryLimitBytes: 512 * 2 ** 20,
      pids: 3 + (index % 7),
      netRxBytes: index * 40_000,
      netTxBytes: index * 15_000,
      netRxPackets: index * 30,
      netTxPackets: index * 12,
      blockReadBytes: index * 1000,
      blockWriteBytes: index * (index % 60 < 5 ? 400_000 : 20_000),
    };
  });
}

describe('Metrics graphs', function () {
  this.timeout(120_000);
  let api: AicliApi;
  let folder: string;
  let workspace: Workspace;
  const name = `graphs-${process.pid}`;

  before(async () => {
    api = await activeApi();
    await labelCreations();
    folder = projectFolder();
    const created = (await vscode.commands.executeCommand('aicli.createWorkspace', {
      folder,
      name,
      image: 'aicli/base:latest',
      level: 'standard',
    })) as Workspace | undefined;
    assert.ok(created, 'create failed');
    workspace = created;
    // A CPU burner left running in the box (the exec itself returns at once).
    const code = await defaultScope(api).service.exec(workspace.containerId, ['sh', '-c', 'sh -c "while :; do :; done" </dev/null >/dev/null 2>&1 &'], {
      stdout: sink(),
      stderr: sink(),
    });
    assert.strictEqual(code, 0);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (api) await sweep(api);
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens one panel per workspace from Show Metrics, and its webview draws live rows as samples arrive', async () => {
    const opened = (await vscode.commands.executeCommand('aicli.showMetrics', { kind: 'workspace', workspace })) as MetricsPanel[];
    assert.strictEqual(opened.length, 1);
    const [panel] = opened as [MetricsPanel];
    assert.strictEqual(panel, api.metrics.panel(workspace.id));
    const first = await nextRender(panel, 20_000, () => true);
    assert.strictEqual(first.range, '1h');
    assert.strictEqual(first.cspViolations, 0);
    const live = await nextRender(panel, 20_000, (report) => report.kind === 'rows' && report.newest > 0);
    const later = await nextRender(panel, 10_000, (report) => report.kind === 'rows' && report.newest >= live.newest + 2);
    assert.ok(later.points > live.points || later.points === 3600, `points grew: ${live.points} → ${later.points}`);
    assert.strictEqual(later.cspViolations, 0);
    console.log(`      live rows drawn in ${later.ms.toFixed(1)} ms (${later.points} points × 5 charts)`);
    // Once per workspace: a second Show Metrics brings the same panel to the front.
    const again = (await vscode.commands.executeCommand('aicli.showMetrics', { kind: 'workspace', workspace })) as MetricsPanel[];
    assert.strictEqual(again[0], panel);
  });

  it('records the burner in the history and shows it as the ticker tooltip’s CPU trend', async () => {
    // The burner takes what it gets of one CPU: on a loaded machine a quarter of it or less.
    const burning = (): number | undefined => {
      const series = api.metrics.history.series(workspace.id, '1h');
      const cpu = series.resolution === 'second' ? series.values.cpuPercent.filter((value): value is number => value !== null) : [];
      return cpu.some((value) => value > 15) ? Math.max(...cpu) : undefined;
    };
    const most = await until('the burner in the history', 20_000, burning);
    const line = await until('a CPU trend for the tooltip', 30_000, () => api.metrics.trends.line(workspace.id));
    console.log(`      history: CPU up to ${Math.round(most)} %; tooltip: ${line}`);
    assert.match(line, /^`[▁▂▃▄▅▆▇█ ]+` CPU, last 5 min \(max \d+ %\)$/);
    assert.match(line, /[▂▃▄▅▆▇█]/, 'the burner shows above the lowest block');
  });

  it('switches the range and draws 24 h as a mean with its min–max band', async () => {
    const panel = api.metrics.panel(workspace.id) as MetricsPanel;
    const drawn = nextRender(panel, 20_000, (report) => report.kind === 'series' && report.range === '24h');
    // What the range buttons ask for; the webview's own click is exercised in the UI test.
    panel.showRange('24h');
    const report = await drawn;
    assert.ok(report.points >= 1, 'the current minute');
  });

  it('keeps its range while hidden: shown again, it draws the same range from the history', async () => {
    const panel = api.metrics.panel(workspace.id) as MetricsPanel;
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await until('the panel hidden', 10_000, () => (panel.panel.visible ? undefined : true));
    const redrawn = nextRender(panel, 20_000, (report) => report.kind === 'series');
    panel.reveal();
    assert.strictEqual((await redrawn).range, '24h');
  });

  it('bench: draws 1 h at 1 s (3,600 points × 5 charts) in the webview', async () => {
    const bench = { id: `bench${process.pid}`, name: `bench-${process.pid}` };
    const now = Date.now();
    for (const sample of syntheticHour(now)) api.metrics.history.record(bench, sample);
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      const panel = api.metrics.open(bench);
      const report = await nextRender(panel, 30_000, (candidate) => candidate.kind === 'series');
      // The hour ends a second before it was written; the oldest seconds leave the range as time goes on.
      assert.ok(report.points > 3590 && report.points <= 3600, `${report.points} points`);
      times.push(report.ms);
      panel.dispose();
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[1] as number;
    console.log(
      `      bench: 1 h at 1 s drawn in ${times.map((ms) => ms.toFixed(1)).join(', ')} ms (median ${median.toFixed(1)}; goal < 100: ${median < 100 ? 'met' : 'not met'}, load ${loadavg()[0].toFixed(1)})`,
    );
    // The goal is bench/metrics-render's (a page of its own); here, under a whole VS Code on a shared machine, only a bound that catches a regression.
    assert.ok(median < 500, `median ${median} ms`);
  });
});
