// Images in code-server: "Pull Image…" from the palette shows per-layer progress in a
// notification, and the Images view lists the pulled image with its size. The registry is
// Debian's docker-registry on loopback, slowed down so the progress can be seen.
import * as assert from 'assert';
import { EngineConnection } from '../../../src/engine/connection';
import { baseImage, connect } from '../../support/engine';
import { buildLayeredImage, LocalRegistry, pushToRegistry, startLocalRegistry } from '../../support/registry';
import { everyKind, sweepRun } from '../../support/sweep';
import { openAicliView, openWorkbenchSession, runPalette, screenshot, widenSidebar, type WorkbenchSession } from '../harness';
import { answerQuickInput, uiLabels, uiRunId, workspaceRow } from './treeSupport';

describe('Images: pull with progress and the Images view (code-server + Chromium)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let registry: LocalRegistry | undefined;
  let session: WorkbenchSession | undefined;
  let reference = '';

  before(async () => {
    connection = await connect();
    registry = await startLocalRegistry({ bytesPerSecond: 2_000_000 });
    const local = `aicli-e2e-layers-${uiRunId}:latest`;
    await buildLayeredImage(connection.untimed, local, baseImage, 3, 4, uiLabels);
    reference = `${registry.address}/aicli-e2e/tool:${uiRunId}`;
    await pushToRegistry(connection.untimed, local, reference);
    await connection.docker.getImage(local).remove();
    session = await openWorkbenchSession({ settings: { 'aicli.workspace.labels': uiLabels } });
    await openAicliView(session.page);
    await widenSidebar(session.page);
  });

  after(async () => {
    await session?.close();
    if (connection) await sweepRun(connection.docker, uiRunId, everyKind);
    await registry?.stop();
  });

  it('pulls from the palette with per-layer progress in a notification', async () => {
    const page = session!.page;
    await runPalette(page, 'AICLI: Pull Image…');
    await answerQuickInput(page, reference);
    const toasts = page.locator('.notifications-toasts');
    const progress = toasts.getByText(/\d+% · \d\/\d layers · [\d.]+\/[\d.]+ [KMG]iB/);
    await progress.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await toasts.innerText(), new RegExp(`Pulling ${reference.replace(/[.]/g, '\\.')}`));
    await screenshot(page, 'pull-progress');
    await toasts.getByText(`Pulled ${reference}.`).waitFor({ state: 'visible', timeout: 60_000 });
    const pulled = await connection.docker.getImage(reference).inspect();
    assert.ok(pulled.Size > 12 * 2 ** 20);
  });

  it('lists the pulled image in the Images view with its size and usage', async () => {
    const page = session!.page;
    const header = page.locator('.part.sidebar .pane-header', { hasText: /^Images/ });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const tag = reference.slice(reference.lastIndexOf('/') + 1);
    const row = page
      .locator('.part.sidebar')
      .getByRole('treeitem', { name: new RegExp(`aicli-e2e/tool:${uiRunId.replace(/[.]/g, '\\.')}, [\\d.]+ [KMG]iB, unused$`) });
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await row.innerText(), new RegExp(`${tag.split(':')[0]}[\\s\\S]*[KMG]iB · unused`));
    await page.mouse.move(5, 5);
    await screenshot(page, 'images-view');
  });

  it('a create with a missing image offers Pull / Build / Choose Another, and creates with the choice', async () => {
    const page = session!.page;
    const name = `noimg-${process.pid}`;
    const missing = `${registry!.address}/aicli-e2e/absent:1`;
    await runPalette(page, 'AICLI: Create Workspace…');
    await answerQuickInput(page); // the open folder
    await answerQuickInput(page, name);
    await answerQuickInput(page, missing);
    await answerQuickInput(page); // the default level
    await answerQuickInput(page); // the summary: Create
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `Image ${missing} is not on the engine` });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const buttons = await toast.locator('.monaco-button').allInnerTexts();
    assert.deepStrictEqual(buttons.map((text) => text.trim()).filter(Boolean), ['Pull', 'Build…', 'Choose Another…']);
    // The create's own progress has ended: only the question is left on screen.
    await page.locator('.notifications-toasts .notification-toast', { hasText: `Creating workspace ${name}` }).waitFor({ state: 'hidden', timeout: 5000 });
    await screenshot(page, 'missing-image-offer');
    await toast.locator('.monaco-button', { hasText: 'Choose Another…' }).click();
    await answerQuickInput(page, reference);
    await workspaceRow(page, name, 'running').waitFor({ state: 'visible', timeout: 30_000 });
    const [container] = await connection.docker.listContainers({ filters: JSON.stringify({ label: [`aicli.workspace.name=${name}`] }) });
    assert.strictEqual(container?.Image, reference);
  });
});
