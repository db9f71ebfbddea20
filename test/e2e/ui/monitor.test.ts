// Alerts where developers look: the Problems panel shows a memory alert on the workspace's
// policy document, and the status bar shows the live ticker.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import type { Locator, Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { freezeHalfway } from '../../support/freezeHalfway';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { openAicliView, openWorkbenchSession, runPalette, screenshot, widenSidebar, type WorkbenchSession } from '../harness';
import { uiLabels, uiRunId } from './treeSupport';

const labelArgs = cliLabelArgs(uiLabels);
const aicli = (...args: string[]): string => execFileSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });

describe('Alerts and ticker (code-server + Chromium)', function () {
  this.timeout(120_000);
  let session: WorkbenchSession | undefined;
  let page: Page;
  let connection: EngineConnection;
  const name = `alert-${process.pid}`;

  before(async () => {
    connection = await connect();
    session = await openWorkbenchSession({
      readme: '# monitored project\n',
      prepare: (folder) => void aicli('create', '--folder', folder, '--name', name, '--memory', '32m', ...labelArgs),
      settings: { 'aicli.workspace.labels': uiLabels },
    });
    page = session.page;
    await openAicliView(page);
  });

  after(async () => {
    await session?.close();
    if (connection) await sweepRun(connection.docker, uiRunId);
  });

  it('shows the workspace of the open folder in the status-bar ticker', async () => {
    const ticker = page.locator('.part.statusbar').getByText(new RegExp(`${name} · \\d+% CPU · [\\d.]+/[\\d.]+ [KMG]iB`));
    await ticker.waitFor({ state: 'visible', timeout: 20_000 });
  });

  it('shows a memory alert in the Problems panel on the policy document', async () => {
    aicli('exec', name, '--', 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=28 2>/dev/null');
    const started = Date.now();
    await runPalette(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page.locator('.part.panel .markers-panel').getByText(/Memory use is at \d+ % of the 32 MiB limit/);
    await problem.first().waitFor({ state: 'visible', timeout: 20_000 });
    console.log(`      Problems panel showed the alert ${Date.now() - started} ms after the hog finished`);
    const panel = await page.locator('.part.panel .markers-panel').innerText();
    assert.match(panel, new RegExp(`${name}\\.policy`));
    assert.match(panel, /resource_violation/);
    // The ticker turns to the warning colour while the limit is crossed (redrawn at most once a second).
    await page.locator('.part.statusbar .statusbar-item.warning-kind', { hasText: name }).waitFor({ state: 'visible', timeout: 5000 });
    await widenSidebar(page);
    await screenshot(page, 'problems-alert');
  });

  it('shows a workspace frozen by a pause, with the way out, and unfreeze brings it back', async () => {
    const [row] = await connection.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`aicli.workspace.name=${name}`] }) });
    assert.ok(row, 'the workspace container');
    const { round } = await freezeHalfway(connection.untimed.getContainer(row.Id));
    assert.ok(round, 'the engine bug did not show up in 60 pauses');
    try {
      await frozenProblem(page).waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(1500);
      await screenshot(page, 'frozen-alert');
      const toast = page.locator('.notification-toast').filter({ hasText: 'stopped answering' });
      await toast.getByRole('button', { name: 'Unfreeze in Terminal' }).waitFor({ state: 'visible', timeout: 10_000 });
      await toast.getByRole('button', { name: 'Copy Command' }).waitFor({ state: 'visible', timeout: 2000 });
    } finally {
      // as root on the engine's host, which this test is
      assert.match(aicli('unfreeze', name), new RegExp(`${name}: running`));
    }
    await frozenProblem(page).waitFor({ state: 'detached', timeout: 10_000 });
  });
});

/** The frozen-workspace alert's row in the Problems panel. */
function frozenProblem(page: Page): Locator {
  return page
    .locator('.part.panel .markers-panel')
    .getByText(/The engine stopped answering for this workspace/)
    .first();
}
