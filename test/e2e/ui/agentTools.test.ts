// A language-model tool's first call in a real VS Code: the open folder has no workspace, so VS Code
// asks first (prepareInvocation's confirmation, a modal dialog outside a chat) naming folder and
// level; after Yes the workspace is made and the command runs in it. code-server has no chat
// offline, so a test-only extension (lib/toolDriver) calls vscode.lm.invokeTool from the palette.
// (The extension-host tests cannot see this: VS Code answers every dialog itself in a test run.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { labels } from '../../../src/workspace/model';
import { connect } from '../../support/engine';
import { folderUser } from '../../support/folders';
import { sweepRun } from '../../support/sweep';
import { poll } from '../../support/waits';
import { makeTempDir, openAicliView, openWorkbenchSession, removeDir, repoRoot, runPalette, screenshot, type WorkbenchSession } from '../harness';
import { uiLabels, uiRunId } from './treeSupport';

const toolDriver = path.join(repoRoot, 'test', 'e2e', 'lib', 'toolDriver');

describe('Language-model tools: the confirmation before the first call (code-server + Chromium)', function () {
  this.timeout(180_000);
  let session: WorkbenchSession | undefined;
  let page: Page;
  let connection: EngineConnection;
  let requestDir = '';
  const dialog = (): Locator => page.locator('.monaco-dialog-box');
  const button = (label: RegExp): Locator => dialog().locator('.dialog-buttons .monaco-button', { hasText: label });

  /** The engine's containers made for the open folder. */
  async function folderContainers(): Promise<unknown[]> {
    return connection.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${labels.folder}=${session!.folder}`] }) });
  }

  /** The driver's command; the palette lists an installed extension's commands a little after the workbench shows. */
  async function runDriver(): Promise<void> {
    await poll('the palette to list the tool driver', 30_000, () =>
      runPalette(page, 'AICLI Test: Invoke Language Model Tool', 5000).then(
        () => true,
        (err: unknown) => (String(err).includes('Command palette has no') ? false : Promise.reject(err)),
      ),
    );
  }

  /** Waits for the call's dialog; fails at once with the call's result when the call ended without one. */
  async function untilDialog(called: Promise<{ text?: string; error?: string }>): Promise<void> {
    const ended = called.then((result) => assert.fail(`the call ended without a dialog: ${JSON.stringify(result)}`));
    await Promise.race([dialog().waitFor({ state: 'visible', timeout: 60_000 }), ended]);
  }

  /** Calls the tool through the driver; resolves with what the call returned once it has. */
  async function invokeTool(tool: string, input: Record<string, unknown>): Promise<{ text?: string; error?: string }> {
    const resultFile = path.join(requestDir, `result-${Date.now()}.json`);
    fs.writeFileSync(path.join(requestDir, 'request.json'), JSON.stringify({ tool, input, resultFile }));
    await runDriver();
    return poll(`the result of ${tool}`, 150_000, () =>
      fs.existsSync(resultFile) ? (JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { text?: string; error?: string }) : undefined,
    );
  }

  before(async () => {
    connection = await connect();
    requestDir = makeTempDir('acd-');
    session = await openWorkbenchSession({
      readme: '# agent project\n',
      // The box runs as the folder's owner: the ordinary user of a real machine.
      prepare: (dir) => {
        fs.chownSync(dir, folderUser.uid, folderUser.gid);
        fs.chownSync(path.join(dir, 'README.md'), folderUser.uid, folderUser.gid);
      },
      settings: { 'aicli.workspace.labels': uiLabels },
      env: { AICLI_TOOL_DRIVER_REQUEST: path.join(requestDir, 'request.json') },
      extensions: [toolDriver],
    });
    page = session.page;
    // Our extension is active once its view is there: its tools are registered.
    await openAicliView(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, `failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`, path.join(repoRoot, 'test-results', 'screenshots'));
    }
  });

  after(async () => {
    await session?.close();
    if (connection) await sweepRun(connection.docker, uiRunId);
    if (requestDir) removeDir(requestDir);
  });

  it('asks before it creates the workspace; Cancel creates nothing', async () => {
    const called = invokeTool('aicli_workspace_exec', { command: 'echo $((6*7))' });
    await untilDialog(called);
    const buttons = (await dialog().locator('.dialog-buttons .monaco-button').allInnerTexts()).map((label) => label.trim());
    console.log(`      dialog buttons: ${buttons.join(' | ')}`);
    await button(/^Cancel$/).click();
    const result = await called;
    assert.match(result.error ?? '', /cancel/i, JSON.stringify(result));
    assert.deepStrictEqual(await folderContainers(), []);
  });

  it("names folder and level, and after Yes creates the open folder's workspace and runs the command there", async () => {
    const folder = session!.folder;
    const called = invokeTool('aicli_workspace_exec', { command: 'echo $((6*7))' });
    await untilDialog(called);
    const text = await dialog().innerText();
    assert.ok(text.includes(`Create an AICLI workspace for ${folder} at level standard?`), text);
    assert.match(text, /Confirming creates it: an isolated container with your AICLI settings/);
    assert.match(text, /Then, in that workspace: running `echo \$\(\(6\*7\)\)`/);
    await screenshot(page, 'agent-confirmation');
    await button(/^(?!Cancel$)/)
      .first()
      .click();
    const result = await called;
    assert.strictEqual(result.error, undefined, result.error);
    assert.match(result.text ?? '', /^Created workspace \S+ \(running, level standard, mount review\) for /);
    assert.match(result.text ?? '', /--- stdout ---\n42\n/);
  });

  it('runs the next call in that workspace without asking again', async () => {
    const result = await invokeTool('aicli_workspace_exec', { command: 'id -u' });
    assert.strictEqual(await dialog().isVisible(), false);
    assert.match(result.text ?? '', /^Exit code 0 .*\n--- stdout ---\n1000\n/s, JSON.stringify(result));
    assert.strictEqual((await folderContainers()).length, 1);
  });
});
