// Two engines in the extension host: aicli.engines adds a second dockerd (a throwaway one the
// test starts), the tree groups workspaces by engine, commands act on the workspace's own
// engine, and a stopped engine shows its error while the other keeps working.
import * as assert from 'assert';
import { rmSync } from 'fs';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/ui/tree/nodes';
import type { Workspace } from '../../../src/workspace/model';
import { buildBaseImageOn, discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from '../../support/throwawayEngine';
import { activeApi, labelCreations, projectFolder, sweep, untilTree, defaultScope } from './support';

type Group = Extract<TreeNode, { kind: 'engineGroup' }>;

describe('Several engines: grouped tree, routed commands, one engine down', function () {
  this.timeout(120_000);
  let api: AicliApi;
  let second: ThrowawayEngine | undefined;
  let folder: string;
  let workspace: Workspace | undefined;
  const name = `second-${process.pid}`;

  const groups = async (): Promise<Group[]> => ((await api.tree.getChildren()) as TreeNode[]).filter((node): node is Group => node.kind === 'engineGroup');
  const childrenOf = async (group: string): Promise<TreeNode[]> => {
    const node = (await groups()).find((candidate) => candidate.name === group);
    return node ? ((await api.tree.getChildren(node as TreeNode)) as TreeNode[]) : [];
  };

  before(async () => {
    api = await activeApi();
    await labelCreations();
    await vscode.commands.executeCommand('aicli.workspaces.focus');
    second = await startThrowawayEngine(`host-${process.pid}`);
    await buildBaseImageOn(second.host);
    folder = projectFolder();
    await vscode.workspace.getConfiguration('aicli').update('engines', [{ name: 'second', host: second.host }], vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('aicli').update('engines', undefined, vscode.ConfigurationTarget.Global);
    if (api) await sweep(api);
    await discardThrowawayEngine(second);
    rmSync(folder, { recursive: true, force: true });
  });

  it('groups the tree by engine, each with its health and version', async () => {
    const shown = await untilTree(api, 20_000, async () => {
      const found = await groups();
      return found.length === 2 && found.every((group) => group.state.kind === 'connected') ? found : undefined;
    });
    assert.deepStrictEqual(
      shown.map((group) => group.name),
      ['default', 'second'],
    );
    const item = api.tree.getTreeItem(shown[1] as TreeNode);
    assert.match(String(item.description), /^Docker \d+\.\d+[^ ]* · 0 running · 0% CPU of \d+ · 0(?:\.0)?\/[\d.]+ [KMG]iB$/);
  });

  it('creates on the engine asked for; the workspace shows under it and stop acts there', async () => {
    workspace = (await vscode.commands.executeCommand('aicli.createWorkspace', {
      folder,
      name,
      image: 'aicli/base:latest',
      level: 'standard',
      engine: 'second',
    })) as Workspace | undefined;
    assert.ok(workspace, 'create returned nothing (see the error notification)');
    assert.strictEqual(workspace.engine, 'second');
    const secondEngine = api.scopes.byName('second').engine;
    const onSecond = await (await secondEngine.connection()).docker.getContainer(workspace.containerId).inspect();
    assert.strictEqual(onSecond.Config.Labels['aicli.workspace.name'], name);
    const node = await untilTree(api, 10_000, async () =>
      (await childrenOf('second')).find(
        (candidate) => candidate.kind === 'workspace' && candidate.workspace.name === name && candidate.workspace.state === 'running',
      ),
    );
    assert.ok(!(await childrenOf('default')).some((candidate) => candidate.kind === 'workspace' && candidate.workspace.name === name));
    await vscode.commands.executeCommand('aicli.stopWorkspace', node);
    assert.strictEqual((await (await secondEngine.connection()).docker.getContainer(workspace.containerId).inspect()).State.Running, false);
  });

  it('a stopped engine shows its error under its group while the default engine keeps working; it recovers', async () => {
    await second!.stop();
    const errorNode = await untilTree(api, 20_000, async () =>
      (await childrenOf('second')).find((node) => node.kind === 'engine' && node.state.kind === 'unreachable'),
    );
    assert.match(String(api.tree.getTreeItem(errorNode).label), /Docker engine/);
    const started = Date.now();
    await defaultScope(api).service.list();
    assert.ok(Date.now() - started < 2000, 'the default engine answers while the second is down');
    assert.strictEqual(defaultScope(api).engine.state.kind, 'connected');
    await second!.start();
    await untilTree(api, 30_000, async () => ((await groups()).find((group) => group.name === 'second')?.state.kind === 'connected' ? true : undefined));
    await api.scopes.byName('second').service.remove(workspace!.containerId);
  });
});
