// The graphs where developers look: Show Metrics on a busy workspace's row opens a webview whose
// lines move as samples arrive; its range switch redraws; the ticker's quick pick offers it too.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { join } from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { openAicliView, openWorkbenchSession, repoRoot, runPalette, screenshot, type WorkbenchSession } from '../harness';
import { answerQuickInput, contextMenu, uiLabels, uiRunId, workspaceRow } from './treeSupport';

const labelArgs = cliLabelArgs(uiLabels);
const aicli = (...args: string[]): string => execFileSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
/** Left running in the box: a CPU burner and a write of 16 MiB every 3 s. */
const load =
  'sh -c "while :; do :; done" </dev/null >/dev/null 2>&1 & ' +
  'sh -c "while :; do dd if=/dev/zero of=/tmp/w bs=1M count=16 conv=fsync 2>/dev/null; sleep 3; done" </dev/null >/dev/null 2>&1 &';

/** The panel's document: VS Code puts a webview in an iframe holding the page's own iframe. */
function graphs(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function bodyData(frame: FrameLocator): Promise<Record<string, string>> {
  return frame.locator('body').evaluate((body) => ({ ...(body as unknown as { dataset: Record<string, string> }).dataset }));
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('Metrics graphs (code-server + Chromium)', function () {
  this.timeout(150_000);
  let session: WorkbenchSession | undefined;
  let page: Page;
  let connection: EngineConnection;
  const name = `graphs-${process.pid}`;

  before(async () => {
    connection = await connect();
    session = await openWorkbenchSession({
      readme: '# a busy project\n',
      prepare: (folder) => {
        aicli('create', '--folder', folder, '--name', name, ...labelArgs);
        aicli('exec', name, '--', 'sh', '-c', load);
      },
      settings: { 'aicli.workspace.labels': uiLabels },
    });
    page = session.page;
    await openAicliView(page);
  });

  after(async () => {
    await session?.close();
    if (connection) await sweepRun(connection.docker, uiRunId);
  });

  it('opens the graphs from the row menu, and their lines move as samples arrive', async () => {
    await contextMenu(page, workspaceRow(page, name, 'running'), 'Show Metrics');
    const frame = graphs(page);
    try {
      await frame.locator('body[data-points]').waitFor({ state: 'attached', timeout: 45_000 });
    } catch (err) {
      const frames = await page.locator('iframe').evaluateAll((all) => all.map((element) => (element as unknown as { className: string }).className));
      await screenshot(page, 'metrics-no-webview', join(repoRoot, 'test-results', 'screenshots'));
      throw new Error(`the graphs webview did not draw (iframes: ${JSON.stringify(frames)}; see test-results/screenshots/metrics-no-webview.png)`, {
        cause: err,
      });
    }
    await frame.locator('.chart-cpu canvas').waitFor({ state: 'visible', timeout: 10_000 });
    const before = await until('live points', 15_000, async () => {
      const data = await bodyData(frame);
      return Number(data.points) >= 2 ? data : undefined;
    });
    const cpuBefore = await frame.locator('.chart-cpu canvas').screenshot();
    await page.waitForTimeout(3000);
    const after = await bodyData(frame);
    const cpuAfter = await frame.locator('.chart-cpu canvas').screenshot();
    assert.ok(Number(after.newest) >= Number(before.newest) + 2, `newest ${before.newest} → ${after.newest}`);
    assert.ok(!cpuBefore.equals(cpuAfter), 'the CPU chart was drawn again with the new points');
    assert.strictEqual(after.cspViolations, '0');
    assert.match(await frame.locator('header .status').innerText(), /last hour, 1 s · \d+ points · live/);
    // The connections, counted in the box while the panel shows (the first count comes with the series).
    await until('the connection count', 10_000, async () => ((await bodyData(frame)).connections !== undefined ? true : undefined));
    assert.match(await frame.locator('header .status').innerText(), /· live · connections \d+ established, \d+ listening, \d+ opening or closing; \d+ UDP/);
    console.log(`      webview: ${after.points} points, last draw ${after.renderMs} ms`);
  });

  it('switches to 24 h (mean with a min–max band) and back', async () => {
    const frame = graphs(page);
    await frame.getByRole('button', { name: '24 h' }).click();
    await frame.locator('body[data-range="24h"]').waitFor({ state: 'attached', timeout: 10_000 });
    await until('the 24 h series', 10_000, async () => (Number((await bodyData(frame)).points) >= 1 ? true : undefined));
    // The range flag flips when the button is pressed, before the 24 h series arrives (the points
    // counted may still be the 1 h ones): wait for the legend the 24 h series draws.
    const legend = frame.locator('.chart-cpu .u-legend');
    const averaged = /CPU avg:?\s*\d+ % \(\d+ %–\d+ %\)/;
    await until('the 24 h legend (mean and min–max)', 10_000, async () => (averaged.test(await legend.innerText()) ? true : undefined)).catch(
      async (err: Error) => {
        throw new Error(`${err.message}; the legend reads ${JSON.stringify(await legend.innerText())}`);
      },
    );
    // Looked at by whoever changes the charts; not one of the README's pictures.
    await screenshot(page, 'metrics-graphs-24h', join(repoRoot, 'test-results', 'screenshots'));
    await frame.getByRole('button', { name: '1 h' }).click();
    await frame.locator('body[data-range="1h"]').waitFor({ state: 'attached', timeout: 10_000 });
    await until('the 1 h series', 10_000, async () => (Number((await bodyData(frame)).points) > 3 ? true : undefined));
  });

  it('is offered by the ticker’s quick pick, which brings the same panel to the front', async () => {
    await page
      .locator('.part.statusbar')
      .getByText(new RegExp(`${name} · \\d+% CPU`))
      .click();
    await answerQuickInput(page); // the workspace (the only one)
    const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Metrics' });
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
    await page.waitForTimeout(1000);
    assert.strictEqual(await page.locator('iframe.webview.ready').count(), 1, 'one panel per workspace');
    // For the picture: memory growing by 12 MiB a second to 48 MiB (/dev/shm holds 64), and some seconds of it drawn.
    aicli('exec', name, '--', 'sh', '-c', 'for i in 1 2 3 4; do dd if=/dev/zero of=/dev/shm/m$i bs=1M count=12 2>/dev/null; sleep 1; done');
    await page.waitForTimeout(6000);
    // The graphs alone: the tree may list other sessions' workspaces on a shared engine.
    await runPalette(page, 'View: Toggle Primary Side Bar Visibility');
    await page.mouse.move(5, 5);
    await screenshot(page, 'metrics-graphs');
  });
});
