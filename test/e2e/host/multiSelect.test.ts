// A multi-selection in the Workspaces tree: a lifecycle command acts on the rows it fits and
// skips the others (workspace/actions.ts), instead of failing on them.
import * as assert from 'assert';
import { rmSync } from 'fs';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { Workspace } from '../../../src/workspace/model';
import { activeApi, labelCreations, projectFolder, sweep, untilTree, defaultScope } from './support';

type WorkspaceNode = { kind: 'workspace'; workspace: Workspace };

describe('Multi-selection and the state → actions table', function () {
  this.timeout(90_000);
  let api: AicliApi;
  const folders: string[] = [];
  const running = `multi-run-${process.pid}`;
  const exited = `multi-exit-${process.pid}`;

  before(async () => {
    api = await activeApi();
    await labelCreations();
    await vscode.commands.executeCommand('aicli.workspaces.focus');
  });
  after(async () => {
    if (api) {
      await sweep(api);
      // Let the tree take the removals in now, not during a later suite's measurements.
      await untilTree(api, 10_000, async () =>
        (await api.tree.getChildren()).some((node) => node.kind === 'workspace' && node.workspace.name.startsWith('multi-')) ? undefined : true,
      ).catch(() => undefined);
    }
    folders.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  /** A tree node as VS Code passes it to a command, read from the engine (not the tree, which is not under test here). */
  async function nodeOf(name: string, state: Workspace['state']): Promise<WorkspaceNode> {
    const workspace = await defaultScope(api).service.find(name);
    assert.strictEqual(workspace.state, state, `${name} is ${workspace.state}, not ${state}`);
    return { kind: 'workspace', workspace };
  }

  it('Stop on a running and an exited row stops the running one and skips the exited one', async () => {
    for (const name of [running, exited]) {
      const folder = projectFolder();
      folders.push(folder);
      const created = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name, image: 'aicli/base:latest', level: 'standard' })) as
        Workspace | undefined;
      assert.ok(created, `create of ${name} returned nothing (see the error notification)`);
    }
    const toStop = await nodeOf(exited, 'running');
    await (await defaultScope(api).engine.connection()).untimed.getContainer(toStop.workspace.containerId).stop();
    const selection = [await nodeOf(exited, 'exited'), await nodeOf(running, 'running')];
    // Before the table, Stop also ran on the exited row: the engine's "already stopped" became
    // an error notification the command waited on, so it did not return until dismissed.
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      vscode.commands.executeCommand('aicli.stopWorkspace', selection[1], selection).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 30_000))),
    ]);
    clearTimeout(timer);
    assert.ok(settled, 'Stop on the selection did not return within 30 s (it acted on the exited row and waits on its failure)');
    await nodeOf(running, 'exited');
    await nodeOf(exited, 'exited');
  });
});
