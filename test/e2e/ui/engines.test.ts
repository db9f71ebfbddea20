// Two engines in code-server: the Workspaces view groups workspaces by engine, each group with
// its health, version and load; a stopped engine turns its group red with the reason.
import { execFileSync } from 'child_process';
import type { Page } from 'playwright-core';
import { EngineConnection } from '../../../src/engine/connection';
import { connect } from '../../support/engine';
import { cliLabelArgs } from '../../support/labels';
import { cliPath } from '../../support/paths';
import { sweepRun } from '../../support/sweep';
import { buildBaseImageOn, discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from '../../support/throwawayEngine';
import { makeTempDir, openAicliView, openWorkbenchSession, removeDir, screenshot, widenSidebar, type WorkbenchSession } from '../harness';
import { uiLabels, uiRunId, workspaceRow } from './treeSupport';

const labelArgs = cliLabelArgs(uiLabels);

describe('Several engines in the Workspaces view (code-server + Chromium)', function () {
  this.timeout(180_000);
  let second: ThrowawayEngine | undefined;
  let session: WorkbenchSession | undefined;
  let connection: EngineConnection;
  let page: Page;
  const folders: string[] = [];
  const name = `multi-${process.pid}`;

  before(async () => {
    connection = await connect();
    second = await startThrowawayEngine(`uieng-${process.pid}`);
    await buildBaseImageOn(second.host);
    const folder = makeTempDir('acw-');
    folders.push(folder);
    execFileSync(process.execPath, [cliPath, '--host', second.host, 'create', '--folder', folder, '--name', name, ...labelArgs]);
    execFileSync(process.execPath, [cliPath, 'create', '--folder', folder, '--name', `${name}-here`, ...labelArgs]);
    session = await openWorkbenchSession({ settings: { 'aicli.workspace.labels': uiLabels, 'aicli.engines': [{ name: 'build-box', host: second.host }] } });
    page = session.page;
    await openAicliView(page);
    await widenSidebar(page);
  });
  after(async () => {
    await session?.close();
    if (connection) await sweepRun(connection.docker, uiRunId);
    await discardThrowawayEngine(second);
    folders.forEach((folder) => removeDir(folder));
  });

  const group = (engine: string, state: string): ReturnType<Page['locator']> =>
    page.locator('.part.sidebar').getByRole('treeitem', { name: new RegExp(`^Engine ${engine}, ${state}`) });

  it('shows one group per engine with its workspaces and load', async () => {
    await group('default', 'up, \\d+ running').waitFor({ state: 'visible', timeout: 30_000 });
    await group('build-box', 'up, 1 running').waitFor({ state: 'visible', timeout: 30_000 });
    await workspaceRow(page, name, 'running').waitFor({ state: 'visible', timeout: 20_000 });
    await workspaceRow(page, `${name}-here`, 'running').waitFor({ state: 'visible', timeout: 20_000 });
    // The status-bar ticker sums over both engines (the open folder has no workspace of its own).
    await page
      .locator('.part.statusbar')
      .getByText(/2 running · \d+% CPU · [\d.]+\/[\d.]+ [KMG]iB/)
      .waitFor({ state: 'visible', timeout: 20_000 });
    await page.mouse.move(5, 5);
    await screenshot(page, 'tree-engines');
  });

  it('a stopped engine shows as unreachable with the reason, the other group stays', async () => {
    await second!.stop();
    await group('build-box', 'unreachable').waitFor({ state: 'visible', timeout: 30_000 });
    await workspaceRow(page, `${name}-here`, 'running').waitFor({ state: 'visible', timeout: 5000 });
    await second!.start();
    await group('build-box', 'up').waitFor({ state: 'visible', timeout: 30_000 });
  });
});
