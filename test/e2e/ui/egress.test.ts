// A refused egress attempt where developers look: the Problems panel, with the quick fix that
// allows the host for that workspace; after it, the same attempt gets through. Traffic goes only
// to a fake-internet namespace this test makes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import type { Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { createFakeInternet, FakeInternet } from '../../support/fakeInternet';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { openAicliView, openWorkbenchSession, runPalette, screenshot, type WorkbenchSession } from '../harness';
import { uiLabels, uiRunId } from './treeSupport';

const labelArgs = cliLabelArgs(uiLabels);
const aicli = (...args: string[]): string => execFileSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });

/** The extension's log lines that say something went wrong, for a failure message. */
function extensionLog(runDir: string): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/AICLI|exthost/i.test(path) && path.endsWith('.log'))
        found.push(
          ...readFileSync(path, 'utf8')
            .split('\n')
            .filter((line) => /error|warn|fail|policy/i.test(line)),
        );
    }
  };
  walk(runDir);
  return found.slice(-40).join('\n');
}

describe('Egress alerts (code-server + Chromium)', function () {
  this.timeout(120_000);
  let session: WorkbenchSession | undefined;
  let page: Page;
  let connection: EngineConnection;
  let internet: FakeInternet;
  const name = `egress-${process.pid}`;
  const port = 8080;
  const reach = (): string => aicli('exec', name, '--', 'sh', '-c', `nc -w 2 ${internet.address} ${port} </dev/null; true`).trim();

  before(async () => {
    connection = await connect();
    internet = createFakeInternet(process.pid + 13);
    await internet.listen(port, 'fake-internet');
    session = await openWorkbenchSession({
      readme: '# a strict project\n',
      prepare: (folder) => void aicli('create', '--folder', folder, '--name', name, '--level', 'strict', ...labelArgs),
      settings: { 'aicli.workspace.labels': uiLabels },
    });
    page = session.page;
    await openAicliView(page);
  });

  after(async () => {
    await session?.close();
    internet?.remove();
    if (connection) await sweepRun(connection.docker, uiRunId);
  });

  it('shows a refused connect in the Problems panel and allows the host with its quick fix', async () => {
    assert.equal(reach(), '', 'strict (egress none) let the connect through');
    await runPalette(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page
      .locator('.part.panel .markers-panel')
      .getByText(new RegExp(`tried to reach ${internet.address.replace(/\./g, '\\.')} \\(port ${port}\\)`));
    await problem.first().waitFor({ state: 'visible', timeout: 20_000 });
    const panel = await page.locator('.part.panel .markers-panel').innerText();
    assert.match(panel, new RegExp(`${name}\\.policy`));
    assert.match(panel, /network_anomaly/);
    // The policy document is read-only, where the editor offers no quick fix; the Problems
    // panel's light bulb on the row does, as for a user.
    const bulb = page.locator(
      '.part.panel .markers-panel .monaco-list-row.selected .codicon-lightbulb, .part.panel .markers-panel .monaco-list-row.selected .codicon-light-bulb',
    );
    // The panel offers a row's fixes once the policy document's model exists; when the bulb stays
    // disabled, open the row's document (Enter, as a user would) and select the row again.
    for (let attempt = 1; ; attempt++) {
      await problem.first().click();
      const shown = await bulb
        .first()
        .waitFor({ state: 'visible', timeout: 5_000 })
        .then(() => true)
        .catch(() => false);
      if (shown) break;
      if (attempt === 4)
        throw new Error(
          `the Problems row offers no quick fix (its light bulb stays disabled); extension log:\n${session ? extensionLog(session.server.runDir) : ''}`,
        );
      await page.keyboard.press('Enter');
      await page.waitForTimeout(500);
      await runPalette(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    }
    await bulb.first().click();
    const allow = page.getByRole('menuitem', { name: `Allow ${internet.address} for this workspace` });
    await allow.waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(300);
    await screenshot(page, 'egress-alert');
    await allow.click();
    await page
      .locator('.notifications-toasts')
      .getByText(new RegExp(`${name} may now reach ${internet.address.replace(/\./g, '\\.')}`))
      .waitFor({ state: 'visible', timeout: 20_000 });
    let answer = '';
    for (let i = 0; i < 20 && answer !== 'fake-internet'; i++) {
      answer = reach();
      if (answer !== 'fake-internet') await page.waitForTimeout(300);
    }
    assert.equal(answer, 'fake-internet', 'the allowed host did not answer');
    await problem.first().waitFor({ state: 'detached', timeout: 10_000 });
  });
});
