// The Security view where a user sees it: a memory hog and a refused connect in a strict
// workspace show as counts now and in the last 24 hours, and an alert's row opens its line of the
// policy document. Traffic goes only to a fake-internet namespace this test makes.
import { execFileSync } from 'child_process';
import { join } from 'path';
import type { Locator, Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { createFakeInternet, FakeInternet } from '../../support/fakeInternet';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { openAicliView, openWorkbenchSession, repoRoot, screenshot, widenSidebar, type WorkbenchSession } from '../harness';
import { uiLabels, uiRunId } from './treeSupport';

const labelArgs = cliLabelArgs(uiLabels);
const aicli = (...args: string[]): string => execFileSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });

describe('Security view (code-server + Chromium)', function () {
  this.timeout(120_000);
  let session: WorkbenchSession | undefined;
  let page: Page;
  let connection: EngineConnection;
  let internet: FakeInternet;
  const name = `sec-${process.pid}`;
  const port = 8080;
  const sidebar = (): Locator => page.locator('.part.sidebar');
  /** A row of the view by its accessible name ("<label>: <description>"). */
  const row = (name: RegExp): Locator => sidebar().getByRole('treeitem', { name });

  /** Opens the pane of that title, or folds it (a folded pane leaves the room to the others). */
  async function pane(title: string, open: boolean): Promise<void> {
    const header = sidebar().locator('.pane-header', { hasText: new RegExp(`^${title}`) });
    await header.waitFor({ state: 'visible', timeout: 20_000 });
    if (((await header.getAttribute('aria-expanded')) === 'true') !== open) await header.click();
  }

  before(async () => {
    connection = await connect();
    internet = createFakeInternet(process.pid + 29);
    await internet.listen(port, 'fake-internet');
    session = await openWorkbenchSession({
      readme: '# a watched project\n',
      prepare: (folder) => void aicli('create', '--folder', folder, '--name', name, '--level', 'strict', '--memory', '32m', ...labelArgs),
      settings: { 'aicli.workspace.labels': uiLabels },
    });
    page = session.page;
    await openAicliView(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await screenshot(page, 'failed-security-view', join(repoRoot, 'test-results', 'screenshots')).catch(() => undefined);
  });

  after(async () => {
    await session?.close();
    internet?.remove();
    if (connection) await sweepRun(connection.docker, uiRunId);
  });

  it('counts alerts now and in the last 24 hours per workspace, and opens an alert’s policy line', async () => {
    // The view gets the sidebar's height: a row scrolled out of a pane is not rendered at all.
    await pane('Security', true);
    await pane('Workspaces', false);
    await pane('Changes', false);
    await pane('Images', false);
    // Refused by the strict level's egress (none), then over 85 % of the 32 MiB limit.
    aicli('exec', name, '--', 'sh', '-c', `nc -w 2 ${internet.address} ${port} </dev/null; true`);
    aicli('exec', name, '--', 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=28 2>/dev/null');
    const memory = row(/^Memory use is at \d+ % of the 32 MiB limit.*: warning · memory$/);
    await memory.waitFor({ state: 'visible', timeout: 30_000 });
    await row(/^Now: [2-9] alerts · /).waitFor({ state: 'visible', timeout: 10_000 });
    await row(new RegExp(`^${name}: [2-9] alerts raised, \\d+ egress attempts? blocked$`)).waitFor({ state: 'visible', timeout: 10_000 });
    await widenSidebar(page, 560);
    await memory.click();
    await page.locator('.tabs-container .tab', { hasText: `${name}.policy` }).waitFor({ state: 'visible', timeout: 15_000 });
    // The alert's line, with its diagnostic, beside the counts.
    await page.locator('.monaco-editor .view-line', { hasText: /limit\s32\sMiB/ }).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'security-view');
  });
});
