// The Changes view of a review workspace in the extension host: the box changes files in its own
// view, the view lists them (protected paths apart, conflicts marked), the diff's box side is
// served read-only, and the commands apply and discard them on a real engine and a uid-1000 folder.
// Modals are answered the way automation answers them: the commands take { confirmed: [paths] }.
import * as assert from 'assert';
import { textSink } from '../../support/streams';
import { execFileSync } from 'child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'fs';
import { join } from 'path';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { ChangesNode } from '../../../src/ui/changes/view';
import { policyUri } from '../../../src/ui/monitor/policyDocument';
import type { Workspace } from '../../../src/workspace/model';
import { folderUser, makeFolder, removeFolder } from '../../support/folders';
import { sweepRun } from '../../support/sweep';
import { untilEvent } from '../../support/waits';
import { activeApi, defaultScope, labelCreations, testRunId, until } from './support';

/** A command on the host as uid 1000, as the folder's owner runs it. */
function asUser(folder: string, script: string): void {
  execFileSync('setpriv', [`--reuid=${folderUser.uid}`, `--regid=${folderUser.gid}`, '--clear-groups', 'sh', '-c', script], {
    cwd: folder,
    env: { PATH: '/usr/bin:/bin' },
  });
}

describe('Changes view: review before it lands (uid-1000 folder, real engine)', function () {
  this.timeout(120_000);
  let api: AicliApi;
  let folder: string;
  let workspace: Workspace;
  const name = `changes-${process.pid}`;
  const file = (path: string): string => readFileSync(join(folder, path), 'utf8');

  /** Runs a shell script in the box (in /workspace, as the folder's owner); fails the test on a non-zero exit. */
  async function box(script: string): Promise<number> {
    let stderr = '';
    const output = { stdout: textSink(() => undefined), stderr: textSink((text) => (stderr += text)) };
    const code = await defaultScope(api).service.exec(workspace.name, ['sh', '-c', script], output);
    if (code !== 0 && code !== 1) assert.fail(`the box's script exited ${code}: ${stderr}`);
    return code;
  }

  async function root(): Promise<Extract<ChangesNode, { kind: 'changesWorkspace' }>> {
    const roots = await api.changes.getChildren();
    const found = roots.find((node) => node.kind === 'changesWorkspace' && node.workspace.name === name);
    assert.ok(found?.kind === 'changesWorkspace', `no row for ${name} in the Changes view`);
    return found;
  }

  /** The rows under the workspace's row (after a read), label → description; the protected group's own rows under "Protected paths/". */
  async function rows(): Promise<{ nodes: ChangesNode[]; shown: Record<string, string> }> {
    const nodes: ChangesNode[] = [];
    const shown: Record<string, string> = {};
    const walk = async (parent: ChangesNode, prefix: string): Promise<void> => {
      for (const node of await api.changes.getChildren(parent)) {
        const item = api.changes.getTreeItem(node);
        nodes.push(node);
        shown[`${prefix}${String(item.label)}`] = String(item.description ?? '');
        if (node.kind === 'protectedGroup') await walk(node, `${String(item.label)}/`);
      }
    };
    await walk(await root(), '');
    return { nodes, shown };
  }

  const changeNode = (nodes: ChangesNode[], path: string): ChangesNode => {
    const found = nodes.find((node) => node.kind === 'change' && node.change.path === path);
    assert.ok(found, `no row for ${path}`);
    return found;
  };

  before(async () => {
    api = await activeApi();
    await labelCreations();
    await vscode.commands.executeCommand('aicli.changes.focus');
    await defaultScope(api).engine.connection();
    folder = makeFolder('aicli-e2e-changes-', { owner: 'user' });
    asUser(
      folder,
      'mkdir .git && printf "[core]\\n" > .git/config && echo hello > a.txt && echo keep > b.txt && echo base > c.txt && echo x > scratch-base.txt',
    );
    const created = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name, image: 'aicli/base:latest', level: 'standard' })) as
      Workspace | undefined;
    assert.ok(created, 'create returned nothing (see the error notification)');
    workspace = created;
  });

  after(async () => {
    if (api) {
      if (workspace)
        await defaultScope(api)
          .service.remove(workspace.containerId)
          .catch(() => undefined);
      await sweepRun((await defaultScope(api).engine.connection()).docker, testRunId, ['containers', 'networks', 'volumes']);
    }
    if (folder) removeFolder(folder);
  });

  it('is a review workspace: the box changes its own view and the folder stays as it was', async () => {
    assert.strictEqual(workspace.labels['aicli.workspace.mount'], 'review');
    const policy = (await vscode.workspace.openTextDocument(policyUri(workspace))).getText();
    assert.match(policy, /^project mount {4}review \(its own view; the folder is written on apply\)$/m);
    // The user edits c.txt on the host after create; the box edits it too: a conflict.
    asUser(folder, 'echo mine > c.txt');
    await box(
      'echo changed > a.txt && rm b.txt && echo new > new.txt && echo theirs > c.txt && printf "[alias]\\n  x = !sh\\n" >> .git/config && ln -s /etc/passwd link',
    );
    assert.strictEqual(file('a.txt'), 'hello\n');
    assert.ok(existsSync(join(folder, 'b.txt')) && !existsSync(join(folder, 'new.txt')) && !existsSync(join(folder, 'link')));
    assert.strictEqual(file('.git/config'), '[core]\n');
  });

  it('lists the changes under the workspace, protected paths apart and conflicts marked; the Workspaces row counts them', async () => {
    await vscode.commands.executeCommand('aicli.changes.refresh');
    const { shown } = await rows();
    assert.deepStrictEqual(shown, {
      'a.txt': 'modified',
      'b.txt': 'deleted',
      'c.txt': 'modified · conflict: changed in the folder too',
      link: 'added · link',
      'new.txt': 'added',
      'Protected paths': 'the host runs these: review each one',
      'Protected paths/.git/config': 'modified',
    });
    assert.strictEqual(api.changes.getTreeItem(await root()).description, '6 changed · 1 protected · 1 conflict');
    const treeRow = (await api.tree.getChildren()).find((node) => node.kind === 'workspace' && node.workspace.name === name);
    assert.ok(treeRow, 'no row in the Workspaces tree');
    assert.match(String(api.tree.getTreeItem(treeRow).description), / · 6 changed · 1 protected · 1 conflict$/);
  });

  it("opens the diff: the folder's file against the box's, served read-only", async () => {
    const { nodes } = await rows();
    await vscode.commands.executeCommand('aicli.changes.openDiff', changeNode(nodes, 'a.txt'));
    const input = await until('the diff editor', 10_000, () => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      return tab?.input instanceof vscode.TabInputTextDiff ? { input: tab.input, label: tab.label } : undefined;
    });
    assert.strictEqual(input.label, 'a.txt (folder ↔ workspace)');
    assert.strictEqual(input.input.original.toString(), vscode.Uri.file(join(folder, 'a.txt')).toString());
    assert.strictEqual(input.input.modified.scheme, 'aicli-box');
    assert.strictEqual((await vscode.workspace.openTextDocument(input.input.modified)).getText(), 'changed\n');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(input.input.modified, Buffer.from('no'))), /NoPermissions|permission|read-?only|EROFS/i);
    const link = vscode.Uri.from({ scheme: 'aicli-box', path: `/default/${workspace.id}/link` });
    assert.strictEqual(Buffer.from(await vscode.workspace.fs.readFile(link)).toString(), '/etc/passwd');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('applies one change from its row: exactly that file changes in the folder, owned by its owner', async () => {
    const { nodes } = await rows();
    await vscode.commands.executeCommand('aicli.changes.apply', changeNode(nodes, 'a.txt'));
    assert.strictEqual(file('a.txt'), 'changed\n');
    assert.strictEqual(statSync(join(folder, 'a.txt')).uid, folderUser.uid);
    assert.ok(existsSync(join(folder, 'b.txt')) && !existsSync(join(folder, 'new.txt')), 'another change reached the folder');
    assert.strictEqual(file('c.txt'), 'mine\n');
    assert.ok(!('a.txt' in (await rows()).shown), 'the applied change is still listed');
  });

  it('Apply All leaves the protected path and the conflict out; Apply Change applies each once confirmed by name', async () => {
    await vscode.commands.executeCommand('aicli.changes.applyAll', await root());
    assert.ok(!existsSync(join(folder, 'b.txt')));
    assert.strictEqual(file('new.txt'), 'new\n');
    assert.ok(lstatSync(join(folder, 'link')).isSymbolicLink());
    assert.strictEqual(readlinkSync(join(folder, 'link')), '/etc/passwd');
    assert.strictEqual(file('.git/config'), '[core]\n', 'Apply All applied a protected path');
    assert.strictEqual(file('c.txt'), 'mine\n', 'Apply All overwrote the edit made in the folder');
    let { nodes } = await rows();
    assert.deepStrictEqual(Object.keys((await rows()).shown), ['c.txt', 'Protected paths', 'Protected paths/.git/config']);
    await vscode.commands.executeCommand('aicli.changes.apply', changeNode(nodes, '.git/config'), undefined, { confirmed: ['.git/config'] });
    assert.match(file('.git/config'), /\[alias\]/);
    assert.strictEqual(file('c.txt'), 'mine\n', 'confirming .git/config applied c.txt too');
    ({ nodes } = await rows());
    await vscode.commands.executeCommand('aicli.changes.apply', changeNode(nodes, 'c.txt'), undefined, { confirmed: ['c.txt'] });
    assert.strictEqual(file('c.txt'), 'theirs\n');
    assert.deepStrictEqual((await rows()).shown, { 'No changes: the workspace sees the folder as it is': '' });
  });

  it('discards a change: the box gets the folder’s copy back and the folder is not touched', async () => {
    await box('echo scratch > scratch.txt && echo edited > scratch-base.txt');
    await vscode.commands.executeCommand('aicli.changes.refresh', await root());
    const { nodes, shown } = await rows();
    assert.deepStrictEqual(shown, { 'scratch-base.txt': 'modified', 'scratch.txt': 'added' });
    await vscode.commands.executeCommand('aicli.changes.discard', changeNode(nodes, 'scratch.txt'), undefined, { confirmed: ['scratch.txt'] });
    assert.strictEqual(await box('test -e scratch.txt'), 1, 'the box still has scratch.txt');
    assert.deepStrictEqual((await rows()).shown, { 'scratch-base.txt': 'modified' });
    await vscode.commands.executeCommand('aicli.changes.discardAll', await root(), undefined, { confirmed: 'all' });
    assert.strictEqual(await box('grep -qx x scratch-base.txt'), 0, 'the box did not get the folder’s copy back');
    assert.strictEqual(file('scratch-base.txt'), 'x\n');
    assert.ok(!existsSync(join(folder, 'scratch.txt')));
    assert.strictEqual(api.changes.getTreeItem(await root()).description, 'no changes');
  });

  it('reads the changes again when the box stops, without a refresh or a timer', async () => {
    await box('echo late > late.txt');
    assert.strictEqual(api.changes.getTreeItem(await root()).description, 'no changes', 'the view read the box without being asked');
    const connection = await defaultScope(api).engine.connection();
    await connection.untimed.getContainer(workspace.containerId).stop();
    await untilEvent(
      'the Changes view to read the stopped box',
      15_000,
      (listener) => api.changes.onDidChangeTreeData(listener),
      async () => {
        const description = api.changes.getTreeItem(await root()).description;
        return description === '1 changed' ? true : undefined;
      },
    );
    assert.deepStrictEqual((await rows()).shown, { 'late.txt': 'added' });
  });
});
