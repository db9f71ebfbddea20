// Settings a folder cannot set: the box can write the open folder's .vscode/settings.json, so a
// value there must not reach the next create. Real VS Code (code-server) and a real engine.
import * as assert from 'assert';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { Workspace } from '../../../src/workspace/model';
import { activeApi, labelCreations, sweep, until, defaultScope } from './support';

const aicli = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('aicli');

describe('Settings a folder cannot set', function () {
  this.timeout(60_000);
  let api: AicliApi;
  let folder: string;
  let settingsDir: string;
  let settingsFile: string;

  /**
   * Writes the open folder's settings with a window-scoped marker beside the rest and waits
   * until VS Code has the marker: then it has read the file, user-only keys included.
   */
  async function writeFolderSettings(text: string, marker: number): Promise<void> {
    writeFileSync(settingsFile, text);
    await until(`VS Code to read ${settingsFile}`, 15_000, () => (aicli().get<number>('logs.tail') === marker ? true : undefined));
  }

  async function inspect(workspace: Workspace): Promise<{ level: string | undefined; socketMounts: string[] }> {
    const info = await (await defaultScope(api).engine.connection()).docker.getContainer(workspace.containerId).inspect();
    const socketMounts = (info.Mounts ?? [])
      .filter((mount) => mount.Destination === '/var/run/docker.sock' || /docker\.sock$/.test(mount.Source ?? ''))
      .map((mount) => `${mount.Source} -> ${mount.Destination}`);
    return { level: info.Config.Labels['aicli.workspace.level'], socketMounts };
  }

  before(async () => {
    api = await activeApi();
    await labelCreations();
    await defaultScope(api).engine.connection();
    // The folder the window has open (a copy of test/fixtures/sample-project): the one the box can write.
    const open = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(open, 'the e2e window has no folder open');
    folder = open;
    settingsDir = join(folder, '.vscode');
    settingsFile = join(settingsDir, 'settings.json');
    assert.ok(!existsSync(settingsDir), `${settingsDir} exists already; this test writes and removes it`);
    mkdirSync(settingsDir);
  });
  after(async () => {
    if (api) await sweep(api);
    await aicli().update('isolation.level', undefined, vscode.ConfigurationTarget.Global);
    if (!settingsDir) return;
    rmSync(settingsDir, { recursive: true, force: true });
    // Later tests must not meet this folder's values: wait until VS Code has dropped them.
    await until('VS Code to drop the folder settings', 15_000, () =>
      aicli().get<number>('logs.tail') === 1000 && aicli().get<boolean>('workspace.mountDockerSocket') === false ? true : undefined,
    );
  });

  it("does not apply a folder's mountDockerSocket and level, and says so", async () => {
    await writeFolderSettings(
      `{
  // written by a process in the box
  "aicli.workspace.mountDockerSocket": true,
  "aicli.isolation.level": "basic",
  "aicli.logs.tail": 7,
}
`,
      7,
    );
    assert.strictEqual(aicli().get('workspace.mountDockerSocket'), false);
    assert.strictEqual(aicli().get('isolation.level'), 'standard');
    const created = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name: `folder-${process.pid}`, image: 'aicli/base:latest' })) as
      Workspace | undefined;
    assert.ok(created, 'create returned nothing (see the error notification)');
    const { level, socketMounts } = await inspect(created);
    assert.deepStrictEqual(socketMounts, [], 'the engine socket is mounted');
    assert.strictEqual(level, 'standard');
    for (const key of ['aicli.workspace.mountDockerSocket', 'aicli.isolation.level']) {
      const reported = api.folderSettings.found.find((setting) => setting.key === key && setting.source === settingsFile);
      assert.ok(reported, `${key} from ${settingsFile} was not reported: ${JSON.stringify(api.folderSettings.found)}`);
      assert.strictEqual(reported.applied, false);
    }
    assert.ok(!api.folderSettings.found.some((setting) => setting.key === 'aicli.logs.tail'), 'a display-only key was reported');
  });

  it('applies the same kind of value from User settings (positive control)', async () => {
    await aicli().update('isolation.level', 'strict', vscode.ConfigurationTarget.Global);
    try {
      assert.strictEqual(aicli().get('isolation.level'), 'strict');
      const created = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name: `user-${process.pid}`, image: 'aicli/base:latest' })) as
        Workspace | undefined;
      assert.ok(created, 'create returned nothing (see the error notification)');
      assert.strictEqual((await inspect(created)).level, 'strict');
    } finally {
      await aicli().update('isolation.level', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('refuses to create while VS Code applies a folder value written as a nested object', async () => {
    await writeFolderSettings('{ "aicli": { "workspace": { "mountDockerSocket": true } }, "aicli.logs.tail": 8 }\n', 8);
    // VS Code 1.100 checks a folder key's scope only at the top level, so this form is in effect.
    assert.strictEqual(aicli().get('workspace.mountDockerSocket'), true, 'VS Code no longer applies the nested form: the refusal may go');
    const name = `nested-${process.pid}`;
    const created = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name, image: 'aicli/base:latest', level: 'standard' })) as
      Workspace | undefined;
    assert.strictEqual(created, undefined, 'a workspace was created with a folder value in effect');
    const connection = await defaultScope(api).engine.connection();
    const rows = await connection.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`aicli.workspace.name=${name}`] }) });
    assert.deepStrictEqual(rows, []);
    const reported = api.folderSettings.found.find((setting) => setting.key === 'aicli.workspace.mountDockerSocket' && setting.source === settingsFile);
    assert.strictEqual(reported?.applied, true);
  });
});
