// Workspaces in the extension host: commands, the tree, and events from outside VS Code.
import * as assert from 'assert';
import { rmSync } from 'fs';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { Workspace } from '../../../src/workspace/model';
import { activeApi, labelCreations, projectFolder, sweep, treeQuiet, untilTree, defaultScope } from './support';

describe('Workspaces view and commands', function () {
  this.timeout(60_000);
  let api: AicliApi;
  let folder: string;
  let workspace: Workspace;
  const name = `host-${process.pid}`;

  before(async () => {
    api = await activeApi();
    await labelCreations();
    // The tree follows the engine only while it is visible, as for a user.
    await vscode.commands.executeCommand('aicli.workspaces.focus');
    await defaultScope(api).engine.connection();
    folder = projectFolder();
  });
  after(async () => {
    if (api) await sweep(api);
    rmSync(folder, { recursive: true, force: true });
  });

  async function nodeNamed(wanted: string): Promise<{ kind: 'workspace'; workspace: Workspace } | undefined> {
    const roots = await api.tree.getChildren();
    return roots.find((node): node is { kind: 'workspace'; workspace: Workspace } => node.kind === 'workspace' && node.workspace.name === wanted);
  }

  it('creates a workspace from the command and the tree shows it running', async () => {
    const created = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name, image: 'aicli/base:latest', level: 'standard' })) as
      Workspace | undefined;
    assert.ok(created, 'create returned nothing (see the error notification)');
    workspace = created;
    const node = await untilTree(api, 5000, async () => ((await nodeNamed(name))?.workspace.state === 'running' ? nodeNamed(name) : undefined));
    const item = api.tree.getTreeItem(node!);
    assert.strictEqual(item.label, name);
    assert.match(String(item.description), /^standard · aicli\/base:latest · running$/);
    assert.strictEqual(item.contextValue, 'workspace.running');
  });

  it('reflects a `docker stop` from outside with a targeted update (< 2 s)', async () => {
    const node = await nodeNamed(name);
    assert.ok(node);
    // Earlier suites' teardown (an engine scope going, their workspaces removed) redraws the whole
    // tree for a while; what is measured here is the stop's own updates.
    await treeQuiet(api, 500, 10_000);
    const fired: unknown[] = [];
    const listener = api.tree.onDidChangeTreeData((element) => fired.push(element));
    const connection = await defaultScope(api).engine.connection();
    const started = Date.now();
    await connection.untimed.getContainer(workspace.containerId).stop();
    const stoppedAt = Date.now();
    await untilTree(api, 2000, async () => ((await nodeNamed(name))?.workspace.state === 'exited' ? true : undefined));
    const shownAt = Date.now();
    listener.dispose();
    console.log(`      tree showed the outside stop ${shownAt - stoppedAt} ms after docker stop returned (stop took ${stoppedAt - started} ms)`);
    assert.ok(shownAt - stoppedAt < 2000);
    assert.ok(fired.includes(node), 'the tree fired the changed workspace node, not a whole refresh');
    assert.ok(!fired.includes(undefined), 'no whole-tree refresh for a state change');
  });

  it("an outside start and stop reach the tree row soon after the engine's start / die event (goal < 100 ms)", async () => {
    const connection = await defaultScope(api).engine.connection();
    const container = connection.untimed.getContainer(workspace.containerId);
    /** From the engine's event (as the extension receives it) to the tree firing the row in that state. */
    const latency = (action: string, state: string): Promise<number> =>
      new Promise((resolve) => {
        // Both listeners hear the same event synchronously, in either order: keep both times.
        let eventAt: number | undefined;
        let shownAt: number | undefined;
        const settle = (): void => {
          if (eventAt === undefined || shownAt === undefined) return;
          onEvent.dispose();
          onTree.dispose();
          resolve(Math.max(0, shownAt - eventAt));
        };
        const onEvent = defaultScope(api).engine.onEvent((event) => {
          if (eventAt !== undefined || event.Actor.ID !== workspace.containerId || event.Action !== action) return;
          eventAt = Date.now();
          settle();
        });
        const onTree = api.tree.onDidChangeTreeData((element) => {
          const changed = element as { kind?: string; workspace?: Workspace } | undefined;
          if (shownAt !== undefined || changed?.workspace?.containerId !== workspace.containerId || changed.workspace.state !== state) return;
          shownAt = Date.now();
          settle();
        });
      });
    const started = latency('start', 'running');
    await container.start();
    const afterStart = await started;
    const stopped = latency('die', 'exited');
    await container.stop();
    const afterDie = await stopped;
    // The figure against the goal; a loaded machine (other test runs) can stretch it, so the
    // mechanism — the row changes from the event, before any list answers — is the unit test's.
    console.log(
      `      tree row ${afterStart} ms after the start event, ${afterDie} ms after the die event (goal < 100 ms each: ${afterStart < 100 && afterDie < 100 ? 'met' : 'MISSED'})`,
    );
    assert.ok(afterStart < 2000 && afterDie < 2000, `start ${afterStart} ms, die ${afterDie} ms`);
  });

  it('starts, pauses and stops it through the commands with a tree node', async () => {
    const node = () => nodeNamed(name);
    const t0 = Date.now();
    const step = (what: string): void => console.log(`      ${Date.now() - t0} ms: ${what}`);
    const engineState = async (): Promise<string> =>
      (await (await defaultScope(api).engine.connection()).docker.getContainer(workspace.containerId).inspect()).State.Status;
    step(`before: tree ${(await node())?.workspace.state}, engine ${await engineState()}`);
    await vscode.commands.executeCommand('aicli.startWorkspace', await node());
    step(`start returned: tree ${(await node())?.workspace.state}, engine ${await engineState()}`);
    await untilTree(api, 5000, async () => ((await node())?.workspace.state === 'running' ? true : undefined));
    await vscode.commands.executeCommand('aicli.pauseWorkspace', await node());
    step('pause returned');
    await untilTree(api, 5000, async () => ((await node())?.workspace.state === 'paused' ? true : undefined));
    assert.strictEqual(api.tree.getTreeItem((await node())!).contextValue, 'workspace.paused');
    await vscode.commands.executeCommand('aicli.stopWorkspace', await node());
    step('stop returned');
    await untilTree(api, 15_000, async () => ((await node())?.workspace.state === 'exited' ? true : undefined));
  });

  it('shows ports, folder, project mount, network, egress and limits as children', async () => {
    const node = await nodeNamed(name);
    const children = await api.tree.getChildren(node);
    const items = children.map((child) => api.tree.getTreeItem(child));
    assert.deepStrictEqual(
      items.map((item) => item.label),
      ['/workspace', 'Project mount', 'Network', 'Egress', 'Limits'],
    );
    assert.strictEqual(items[0]?.description, folder);
    assert.strictEqual(items[1]?.description, 'review (its own view; the folder is written on apply)');
    assert.strictEqual(items[3]?.description, `allowlist · through aicli-gateway-${workspace.id}`);
    assert.match(String(items[4]?.description), /^1 CPU · 512 MiB · 100 pids$/);
  });

  it('opens Inspect as a read-only JSON document', async () => {
    await vscode.commands.executeCommand('aicli.inspectWorkspace', await nodeNamed(name));
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.scheme, 'aicli-inspect');
    assert.strictEqual(editor.document.languageId, 'json');
    const info = JSON.parse(editor.document.getText());
    assert.strictEqual(info.Id, workspace.containerId);
    assert.strictEqual(info.Config.Labels['aicli.workspace.name'], name);
  });
});
