// The Changes view in a real VS Code: a review workspace's box changed files in its own view; the
// view lists them, a click opens the diff editor, Apply and Discard work from the rows' menus, a
// protected path is applied only through its own modal, and Remove names the unapplied count.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { folderUser } from '../../support/folders';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { openAicliView, openWorkbenchSession, repoRoot, screenshot, widenSidebar, type WorkbenchSession } from '../harness';
import { contextMenu, uiLabels, uiRunId, workspaceRow } from './treeSupport';

const aicli = (...args: string[]): string => execFileSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A command on the host as uid 1000, the folder's owner. */
function asUser(folder: string, script: string): void {
  execFileSync('setpriv', [`--reuid=${folderUser.uid}`, `--regid=${folderUser.gid}`, '--clear-groups', 'sh', '-c', script], {
    cwd: folder,
    env: { PATH: '/usr/bin:/bin' },
  });
}

/** Drags the sash right of the sidebar to `width` (widenSidebar only widens). */
async function resizeSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(box.x + width + 300, box.y + box.height - 40);
}

describe('Changes view (code-server + Chromium)', function () {
  this.timeout(120_000);
  let session: WorkbenchSession | undefined;
  let page: Page;
  let folder = '';
  let connection: EngineConnection;
  const name = `chg-${process.pid}`;
  const sidebar = (): Locator => page.locator('.part.sidebar');
  /** A change's row; its accessible name is "<path>, <kind>[, conflict][, protected]". */
  const changeRow = (changed: string, kind: string): Locator => sidebar().getByRole('treeitem', { name: new RegExp(`^${escape(changed)}, ${kind}`) });
  const dialog = (): Locator => page.locator('.monaco-dialog-box');

  async function answerDialog(text: RegExp, button: string): Promise<void> {
    await dialog().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await dialog().innerText(), text);
    await dialog().getByRole('button', { name: button, exact: true }).click();
    await dialog().waitFor({ state: 'detached', timeout: 10_000 });
  }

  before(async () => {
    connection = await connect();
    session = await openWorkbenchSession({
      readme: '# changes project\n',
      prepare: (dir) => {
        fs.chownSync(dir, folderUser.uid, folderUser.gid);
        fs.chownSync(path.join(dir, 'README.md'), folderUser.uid, folderUser.gid);
        asUser(dir, 'mkdir .git && printf "[core]\\n" > .git/config && echo hello > a.txt && echo "some notes" > notes.txt');
        aicli('create', '--folder', dir, '--name', name, ...cliLabelArgs(uiLabels));
        aicli('exec', name, '--', 'sh', '-c', 'echo changed > a.txt && echo new > new.txt && rm notes.txt && printf "[alias]\\n  x = !sh\\n" >> .git/config');
      },
      settings: { 'aicli.workspace.labels': uiLabels },
    });
    ({ page, folder } = session);
    await openAicliView(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const file = path.join(repoRoot, 'test-results', 'screenshots', `failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file }).catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
    if (connection) await sweepRun(connection.docker, uiRunId);
  });

  it('lists the files the box changed, the protected path apart, while the folder is untouched', async () => {
    const header = sidebar().locator('.pane-header', { hasText: /^Changes/ });
    await header.waitFor({ state: 'visible', timeout: 20_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const root = sidebar().getByRole('treeitem', { name: `Changes of ${name}: 4 changed · 1 protected` });
    await root.waitFor({ state: 'visible', timeout: 30_000 });
    for (const [changed, kind] of [
      ['a.txt', 'modified'],
      ['new.txt', 'added'],
      ['notes.txt', 'deleted'],
      ['.git/config', 'modified, protected'],
    ]) {
      await changeRow(changed!, kind!).waitFor({ state: 'visible', timeout: 10_000 });
    }
    await sidebar()
      .getByRole('treeitem', { name: `Protected paths of ${name}: the host runs these, review each one` })
      .waitFor({ state: 'visible' });
    assert.strictEqual(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8'), 'hello\n');
    assert.ok(fs.existsSync(path.join(folder, 'notes.txt')) && !fs.existsSync(path.join(folder, 'new.txt')));
    await widenSidebar(page);
    // The row's inline actions (Open Diff, Apply, Discard) show on hover.
    await changeRow('a.txt', 'modified').hover();
    await screenshot(page, 'changes-view');
  });

  it('opens the diff editor on a click: the folder’s file against the workspace’s', async () => {
    await changeRow('a.txt', 'modified').click();
    const tab = page.locator('.tabs-container .tab', { hasText: 'a.txt (folder ↔ workspace)' });
    await tab.waitFor({ state: 'visible', timeout: 15_000 });
    const diff = page.locator('.editor-instance .monaco-diff-editor');
    await diff.waitFor({ state: 'visible', timeout: 15_000 });
    await diff.locator('.editor.modified .view-lines', { hasText: 'changed' }).waitFor({ state: 'visible', timeout: 15_000 });
    await diff.locator('.editor.original .view-lines', { hasText: 'hello' }).waitFor({ state: 'visible', timeout: 15_000 });
    // Room for the side-by-side diff (the editor goes inline below ~900 px).
    await resizeSidebar(page, 420);
    await diff.locator('.editor.original .view-lines', { hasText: 'hello' }).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'changes-diff');
  });

  it('applies a change from its row and discards another', async () => {
    await contextMenu(page, changeRow('a.txt', 'modified'), 'Apply Change');
    await changeRow('a.txt', 'modified').waitFor({ state: 'detached', timeout: 20_000 });
    assert.strictEqual(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8'), 'changed\n');
    assert.strictEqual(fs.statSync(path.join(folder, 'a.txt')).uid, folderUser.uid);
    await contextMenu(page, changeRow('new.txt', 'added'), 'Discard Change…');
    await answerDialog(/Discard the workspace's change to new\.txt\?/, 'Discard');
    await changeRow('new.txt', 'added').waitFor({ state: 'detached', timeout: 20_000 });
    assert.ok(!fs.existsSync(path.join(folder, 'new.txt')));
    assert.strictEqual(aicli('exec', name, '--', 'sh', '-c', 'test -e new.txt && echo still there || echo gone').trim(), 'gone');
  });

  it('applies a protected path only after a modal that names it', async () => {
    await contextMenu(page, changeRow('.git/config', 'modified'), 'Apply Change');
    await answerDialog(/Apply \.git\/config\?[\s\S]*The host runs this file/, 'Apply');
    await changeRow('.git/config', 'modified').waitFor({ state: 'detached', timeout: 20_000 });
    assert.match(fs.readFileSync(path.join(folder, '.git/config'), 'utf8'), /\[alias\]/);
  });

  it('asks before removing the workspace, naming its unapplied changes', async () => {
    await sidebar()
      .getByRole('treeitem', { name: `Changes of ${name}: 1 changed` })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await contextMenu(page, workspaceRow(page, name), 'Remove Workspace…');
    await answerDialog(new RegExp(`${escape(name)} has 1 unapplied change; it is lost with it`), 'Cancel');
    await workspaceRow(page, name).waitFor({ state: 'visible', timeout: 5000 });
  });
});
