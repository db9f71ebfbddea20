// The engine going away and coming back, seen in a real VS Code: an error node with its
// actions appears, and the tree recovers by itself without reloading the window.
import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from '../../support/throwawayEngine';
import { openAicliView, openWorkbenchSession, screenshot, widenSidebar, type WorkbenchSession } from '../harness';

describe('Engine unreachable and back (code-server + throwaway engine)', function () {
  this.timeout(180_000);
  let engine: ThrowawayEngine | undefined;
  let session: WorkbenchSession | undefined;
  let page: Page;

  before(async () => {
    engine = await startThrowawayEngine(`ui-${process.pid}`);
    // The setting is what a user would change; DOCKER_HOST as well, because the remote
    // extension host can activate before user settings reach it (then it would start on the
    // main engine from the inherited environment).
    session = await openWorkbenchSession({ settings: { 'aicli.docker.host': engine.host }, env: { DOCKER_HOST: engine.host } });
    page = session.page;
    await openAicliView(page);
  });

  after(async () => {
    await session?.close();
    await discardThrowawayEngine(engine);
  });

  const welcome = (): ReturnType<Page['locator']> => page.locator('.part.sidebar .welcome-view-content').getByRole('button', { name: 'Create Workspace' });
  const errorRow = (): ReturnType<Page['locator']> =>
    page.locator('.part.sidebar').getByRole('treeitem', { name: /^Docker engine (is not running|does not answer): The Docker engine at unix:\/\// });

  it('shows the welcome view while the engine answers', async () => {
    await welcome().waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('shows an error node with Retry, Open Settings and Show Log when the engine stops', async () => {
    await engine!.stop();
    const row = errorRow();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.hover();
    const actions = await row.locator('.actions .action-label').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')));
    assert.deepStrictEqual(actions, ['Retry Engine Connection', 'Open Settings', 'Show Extension Log']);
    await widenSidebar(page);
    await screenshot(page, 'tree-engine-error');
  });

  it('recovers on its own when the engine is back, without a reload', async () => {
    const loads: string[] = [];
    page.on('load', () => loads.push('reload'));
    await engine!.start();
    const started = Date.now();
    await welcome().waitFor({ state: 'visible', timeout: 30_000 });
    await errorRow().waitFor({ state: 'detached', timeout: 5000 });
    console.log(`      tree recovered ${Date.now() - started} ms after the engine answered again`);
    assert.deepStrictEqual(loads, []);
  });
});
