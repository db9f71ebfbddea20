// The Workspaces tree in a real VS Code: welcome view, the palette wizard, context menus, and
// an outside `docker stop` seen in the tree.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { makeTempDir, openAicliView, openWorkbenchSession, removeDir, repoRoot, runPalette, screenshot, widenSidebar, type WorkbenchSession } from '../harness';
import { answerQuickInput, contextMenu, uiLabels, uiRunId, workspaceRow } from './treeSupport';

function aicli(...args: string[]): string {
  return execFileSync(process.execPath, [cliPath, ...args, ...(args[0] === 'create' ? cliLabelArgs(uiLabels) : [])], { encoding: 'utf8' });
}

/** Types a command into the active terminal once its prompt shows, and waits for what it prints. */
async function runInActiveTerminal(page: Page, command: string, expected: string): Promise<void> {
  const rows = page.locator('.terminal-wrapper.active .xterm-rows');
  await rows.filter({ hasText: '/workspace' }).first().waitFor({ state: 'visible', timeout: 20_000 });
  await page.locator('.terminal-wrapper.active .xterm').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  await rows.filter({ hasText: expected }).first().waitFor({ state: 'visible', timeout: 10_000 });
}

/** Waits until the quick input shows the step with this title. */
function quickInputTitled(page: Page, title: string): Promise<void> {
  return page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 10_000 });
}

describe('Workspaces view (code-server + Chromium)', function () {
  this.timeout(120_000);
  let session: WorkbenchSession | undefined;
  let folder = '';
  let page: Page;
  let connection: EngineConnection;
  const name = `ui-${process.pid}`;
  const extraFolders: string[] = [];

  before(async () => {
    connection = await connect();
    // This test pauses a workspace from the CLI, outside the extension's exec guard; on Docker
    // 20.10 an exec racing a pause wedges the container, so the monitor's exec checks stay off.
    session = await openWorkbenchSession({
      readme: '# ui test project\n',
      settings: { 'aicli.workspace.labels': uiLabels, 'aicli.monitor.processChecks': false },
    });
    ({ folder, page } = session);
    await openAicliView(page);
  });

  afterEach(async function () {
    // A failed UI step is easiest to understand from what the screen showed.
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
    extraFolders.forEach((dir) => removeDir(dir));
  });

  it('shows the welcome view with a Create Workspace button when there are none', async () => {
    const button = page.locator('.part.sidebar .welcome-view-content').getByRole('button', { name: 'Create Workspace' });
    await button.waitFor({ state: 'visible', timeout: 20_000 });
    await widenSidebar(page);
    await screenshot(page, 'tree-welcome');
  });

  it('creates a workspace from the palette wizard and shows it running', async () => {
    await runPalette(page, 'AICLI: Create Workspace…');
    await answerQuickInput(page); // folder: the open one
    await answerQuickInput(page, name);
    await answerQuickInput(page); // image: default
    await answerQuickInput(page); // level: default (standard)
    await answerQuickInput(page); // summary: Create
    await workspaceRow(page, name, 'running').waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('the wizard goes forward and Back, checks a memory value as typed, and creates with a published port', async () => {
    const wizardName = `${name}-wizard`;
    const widget = page.locator('.quick-input-widget');
    const titled = (title: string): Promise<void> => quickInputTitled(page, title);
    await runPalette(page, 'AICLI: Create Workspace…');
    await titled('Create Workspace: project folder');
    await answerQuickInput(page);
    await answerQuickInput(page, wizardName);
    await titled('Create Workspace: image');
    // The engine's images, each with its size.
    await widget
      .locator('.monaco-list-row', { hasText: 'aicli/base:latest' })
      .filter({ hasText: /\d B|[KMG]iB/ })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await widget.locator('.quick-input-left-action-bar .action-label').first().click();
    await titled('Create Workspace: name');
    assert.strictEqual(await widget.locator('input').inputValue(), wizardName, 'Back lost the name typed');
    await answerQuickInput(page); // the name, kept
    await answerQuickInput(page); // image: the default
    await answerQuickInput(page); // level: the default
    await titled('Create Workspace: summary');
    await widget
      .locator('.monaco-list-row', { hasText: 'Memory' })
      .filter({ hasText: /512m \(the engine has [\d.]+ GiB\)/ })
      .waitFor({ state: 'visible', timeout: 5000 });
    await answerQuickInput(page, 'Memory');
    await titled('Create Workspace: memory');
    const input = widget.locator('input');
    await input.fill('lots');
    // The core's own message, as the CLI would print it.
    await widget
      .getByText('memory "lots" is not a size: use a positive number with an optional unit, like 512m or 2g.')
      .waitFor({ state: 'visible', timeout: 5000 });
    await page.mouse.move(700, 600);
    await screenshot(page, 'create-wizard-validation');
    await input.press('Enter');
    await page.waitForTimeout(300);
    await titled('Create Workspace: memory'); // still here: a wrong value is not taken
    await answerQuickInput(page, '256m');
    await titled('Create Workspace: summary');
    await answerQuickInput(page, 'Ports');
    await titled('Create Workspace: ports');
    await answerQuickInput(page, '18991:8080');
    await titled('Create Workspace: summary');
    await widget.locator('.monaco-list-row', { hasText: 'Ports' }).filter({ hasText: '18991:8080' }).waitFor({ state: 'visible', timeout: 5000 });
    await widenSidebar(page);
    await screenshot(page, 'create-wizard');
    await answerQuickInput(page); // Create
    await workspaceRow(page, wizardName, 'running').waitFor({ state: 'visible', timeout: 30_000 });
    const [row] = await connection.docker.listContainers({ filters: JSON.stringify({ label: [`aicli.workspace.name=${wizardName}`] }) });
    assert.ok(row, 'the wizard made no workspace container');
    const info = await connection.docker.getContainer(row.Id).inspect();
    assert.strictEqual(info.HostConfig.Memory, 256 * 1024 * 1024);
    // The engine publishes a workspace's ports on its gateway, the box's only way out.
    const workspaceId = info.Config.Labels['aicli.workspace.id'];
    // The row turns "running" on the box's start event, while the gateway's start (which
    // publishes the port) may still run as the create's last step: wait for the create to end.
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: `Creating workspace ${wizardName}` })
      .waitFor({ state: 'hidden', timeout: 20_000 });
    const [gateway] = await connection.docker.listContainers({
      filters: JSON.stringify({ label: ['aicli.managed=gateway', `aicli.gateway.of=${workspaceId}`] }),
    });
    if (!gateway) {
      // What the engine has instead, so that a failure says whether the gateway stopped or never was.
      const gateways = await connection.docker.listContainers({ all: true, filters: JSON.stringify({ label: ['aicli.managed=gateway'] }) });
      const seen = gateways.map((row) => `${row.Names[0]} of ${row.Labels['aicli.gateway.of']}: ${row.Status}`);
      assert.fail(`the workspace ${workspaceId} has no running gateway; the engine's gateways: ${JSON.stringify(seen)}`);
    }
    const published = (await connection.docker.getContainer(gateway.Id).inspect()).HostConfig.PortBindings?.['8080/tcp'];
    assert.deepStrictEqual(published, [{ HostIp: '127.0.0.1', HostPort: '18991' }]);
  });

  it('stops it from the context menu and the row shows the new state', async () => {
    await contextMenu(page, workspaceRow(page, name, 'running'), 'Stop Workspace');
    await workspaceRow(page, name, 'exited \\(\\d+\\)').waitFor({ state: 'visible', timeout: 20_000 });
    await contextMenu(page, workspaceRow(page, name), 'Start Workspace');
    await workspaceRow(page, name, 'running').waitFor({ state: 'visible', timeout: 20_000 });
  });

  it('shows a `docker stop` made outside VS Code within 2 s', async () => {
    const [row] = await connection.docker.listContainers({ filters: JSON.stringify({ label: [`aicli.workspace.name=${name}`] }) });
    assert.ok(row, 'workspace container not found');
    const issued = Date.now();
    await connection.untimed.getContainer(row.Id).stop();
    const returned = Date.now();
    await workspaceRow(page, name, 'exited').waitFor({ state: 'visible', timeout: 2000 });
    const shown = Date.now();
    console.log(`      tree showed the outside stop ${shown - returned} ms after docker stop returned (${shown - issued} ms after it was issued)`);
    assert.ok(shown - returned < 2000);
  });

  it('shows several states at once, each with its own icon', async () => {
    for (const suffix of ['paused', 'web']) {
      const dir = makeTempDir('acw-');
      extraFolders.push(dir);
      aicli('create', '--folder', dir, '--name', `${name}-${suffix}`, ...(suffix === 'web' ? ['--publish', '18977:8080'] : []));
    }
    aicli('pause', `${name}-paused`);
    await workspaceRow(page, `${name}-paused`, 'paused').waitFor({ state: 'visible', timeout: 10_000 });
    const web = workspaceRow(page, `${name}-web`, 'running');
    await web.waitFor({ state: 'visible', timeout: 10_000 });
    // A single click on a collapsed row expands it (the default tree expand mode).
    await web.click();
    const port = page.locator('.part.sidebar').getByRole('treeitem', { name: /127\.0\.0\.1:18977 → 8080\/tcp/ });
    await port.waitFor({ state: 'visible', timeout: 10_000 }).catch(async (err: Error) => {
      const names = await page.locator('.part.sidebar [role=treeitem]').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label')));
      throw new Error(`${err.message}\nrows: ${JSON.stringify(names)}`);
    });
    const icons = await page
      .locator('.part.sidebar .monaco-list-row .custom-view-tree-node-item-icon, .part.sidebar .monaco-list-row .codicon')
      .evaluateAll((nodes) => nodes.map((node) => node.className));
    for (const icon of ['codicon-vm-running', 'codicon-debug-pause', 'codicon-vm-outline']) {
      assert.ok(
        icons.some((className) => className.includes(icon)),
        `no ${icon} in the tree (${icons.join(' | ')})`,
      );
    }
    await widenSidebar(page);
    await screenshot(page, 'tree-states');
  });

  it("shows a workspace's logs in its own output channel from the context menu", async () => {
    // What the workspace's main process prints is its log; write to it through PID 1's terminal.
    aicli('exec', `${name}-web`, '--', 'sh', '-c', 'for i in 1 2 3; do echo "log-line-$i $((6*7))" > /proc/1/fd/1; done');
    await contextMenu(page, workspaceRow(page, `${name}-web`), 'Show Logs');
    const output = page.locator('.part.panel .view-lines');
    await output.filter({ hasText: 'log-line-3 42' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const channelName = await page
      .locator('.part.panel .monaco-select-box')
      .first()
      .inputValue()
      .catch(() => '');
    const text = (await output.first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /log-line-1 42\s+log-line-2 42\s+log-line-3 42/);
    console.log(`      output channel: ${channelName || '(name not readable)'}`);
    await screenshot(page, 'logs-channel');
  });

  it('opens a terminal in a workspace from the tree and runs a command in /workspace', async () => {
    await contextMenu(page, workspaceRow(page, `${name}-web`, 'running'), 'Open Terminal');
    await runInActiveTerminal(page, 'echo hello-$((6*7)) in $(pwd)', 'hello-42 in /workspace');
    const tab = await page
      .locator('.terminal-tabs-entry, .single-terminal-tab, .terminal-tab')
      .allInnerTexts()
      .catch(() => []);
    console.log(`      terminal: ${tab.join(' | ') || '(tab name not readable)'}`);
    await screenshot(page, 'terminal');
  });

  it("a sandboxed (gVisor) workspace: its terminal runs on gVisor's kernel and Show Logs follows it", async () => {
    const sandboxed = `${name}-gvisor`;
    const dir = makeTempDir('acw-');
    extraFolders.push(dir);
    aicli('create', '--folder', dir, '--name', sandboxed, '--level', 'sandboxed');
    const row = workspaceRow(page, sandboxed, 'running');
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await contextMenu(page, row, 'Open Terminal');
    // gVisor reports its own kernel, 4.4.0, whatever the host runs.
    await runInActiveTerminal(page, 'echo kernel-$(uname -r)-$((6*7)); echo "gvisor-log $((6*7))" > /proc/1/fd/1', 'kernel-4.4.0-42');
    assert.notEqual(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(), '4.4.0');
    await contextMenu(page, row, 'Show Logs');
    const output = page.locator('.part.panel .view-lines');
    await output.filter({ hasText: 'gvisor-log 42' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'sandboxed-logs', path.join(repoRoot, 'test-results', 'screenshots'));
  });

  it("offers the folder's devcontainer.json in the wizard: initializeCommand after a modal, postCreateCommand's output in the workspace's channel, remoteEnv and postAttachCommand in its terminals", async () => {
    const configDir = path.join(folder, '.devcontainer');
    const markerDir = makeTempDir('acw-init-');
    extraFolders.push(markerDir);
    const initMarker = path.join(markerDir, 'initialized.txt');
    fs.mkdirSync(configDir);
    try {
      fs.writeFileSync(
        path.join(configDir, 'devcontainer.json'),
        [
          "// shaped like a template project's",
          '{',
          '  "image": "aicli/base:latest",',
          '  "containerEnv": { "GREETING": "hello from devcontainer" },',
          '  "postCreateCommand": "echo \\"$GREETING\\" > /tmp/post-create.txt; echo lifecycle-ran-$((6*7))",',
          '  "remoteEnv": { "FROM_REMOTE_ENV": "remote-env-42" },',
          '  "postAttachCommand": "echo attached-$((6*7))",',
          `  "initializeCommand": "echo initialized-on-the-host > ${initMarker}",`,
          '}',
        ].join('\n'),
      );
      const devName = `${name}-dc`;
      const widget = page.locator('.quick-input-widget');
      const titled = (title: string): Promise<void> => quickInputTitled(page, title);
      await runPalette(page, 'AICLI: Create Workspace…');
      await answerQuickInput(page); // the open folder
      await titled('Create Workspace: dev container configuration');
      await widget
        .locator('.monaco-list-row', { hasText: '.devcontainer/devcontainer.json' })
        .filter({ hasText: 'image aicli/base:latest' })
        .waitFor({ state: 'visible', timeout: 5000 });
      await answerQuickInput(page); // use it
      await answerQuickInput(page, devName);
      await answerQuickInput(page); // level (the image comes from the configuration: not asked)
      await titled('Create Workspace: summary');
      await widget
        .locator('.monaco-list-row', { hasText: 'Image' })
        .filter({ hasText: 'from .devcontainer/devcontainer.json' })
        .waitFor({ state: 'visible', timeout: 5000 });
      await screenshot(page, 'create-wizard-devcontainer', path.join(repoRoot, 'test-results', 'screenshots'));
      await answerQuickInput(page); // Create
      // initializeCommand would run on this machine: a modal shows it first.
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await dialog.innerText(), new RegExp(`echo initialized-on-the-host > ${initMarker.replace(/[.]/g, '\\.')}`));
      assert.strictEqual(fs.existsSync(initMarker), false, 'initializeCommand ran before the user agreed');
      await dialog.getByRole('button', { name: 'Run on This Machine' }).click();
      await workspaceRow(page, devName, 'running').waitFor({ state: 'visible', timeout: 30_000 });
      assert.strictEqual(fs.readFileSync(initMarker, 'utf8'), 'initialized-on-the-host\n');
      const output = page.locator('.part.panel .view-lines');
      await output.filter({ hasText: 'postCreateCommand| lifecycle-ran-42' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      assert.strictEqual(aicli('exec', devName, '--', 'cat', '/tmp/post-create.txt'), 'hello from devcontainer\n');
      // A terminal runs postAttachCommand before its shell, and has remoteEnv.
      await contextMenu(page, workspaceRow(page, devName, 'running'), 'Open Terminal');
      const rows = page.locator('.terminal-wrapper.active .xterm-rows');
      await rows.filter({ hasText: 'attached-42' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await runInActiveTerminal(page, 'echo env-$FROM_REMOTE_ENV', 'env-remote-env-42');
      await screenshot(page, 'devcontainer-terminal');
    } finally {
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('removes a workspace after a modal confirmation, keeping its folder', async () => {
    await contextMenu(page, workspaceRow(page, name), 'Remove Workspace…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await dialog.innerText(), /Your project folder and its files are kept/);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await workspaceRow(page, name).waitFor({ state: 'detached', timeout: 15_000 });
    assert.strictEqual(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), '# ui test project\n');
  });
});
