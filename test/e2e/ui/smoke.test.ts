// UI smoke test in plain Node: npx mocha --timeout 120000 out/test/e2e/ui/*.test.js
import * as assert from 'assert';
import * as fs from 'fs';
import type { Page } from 'playwright-core';
import { activityBarTab, openAicliView, openWorkbenchSession, runPalette, screenshot, type WorkbenchSession } from '../harness';
import { expectEngineInfoShown } from './expectations';

describe('AICLI Workspaces UI (code-server + Chromium)', function () {
  this.timeout(120_000);
  let session: WorkbenchSession | undefined;
  let page: Page;

  before(async () => {
    session = await openWorkbenchSession();
    page = session.page;
  });

  after(async () => {
    await session?.close();
  });

  it('shows the AICLI Workspaces tab in the activity bar', async () => {
    const tab = activityBarTab(page);
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(await tab.isVisible());
  });

  it('opens the Workspaces view from the tab', async () => {
    const container = await openAicliView(page);
    const title = await page.locator('.part.sidebar .composite.title').innerText();
    assert.match(title, /AICLI WORKSPACES/i);
    assert.ok(await container.isVisible());
  });

  it('runs "AICLI: Show Engine Info" from the palette', async () => {
    // Start from no toasts, so what appears next comes from the command.
    await runPalette(page, 'Notifications: Clear All Notifications');
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden' });
    await runPalette(page, 'AICLI: Show Engine Info');
    const shown = await expectEngineInfoShown(page);
    console.log(`      engine info: ${shown.split('\n').pop()?.slice(0, 100)}`);
    const file = await screenshot(page, 'e2e-smoke');
    assert.ok(fs.statSync(file).size > 10_000, `${file} looks empty`);
  });
});
