import { defaultScope } from './support';
// Runs inside the extension host (code-server, dev mode): the extension activates and its command works.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';

const EXTENSION_ID = 'aicli.aicli-workspaces';

/**
 * A command that returns showInformationMessage(...)'s promise only settles once the toast is dismissed,
 * so executeCommand would hang until the mocha timeout. Dismiss all notifications until it settles.
 */
async function executeDismissingNotifications(command: string, ...args: unknown[]): Promise<unknown> {
  let settled = false;
  const result = Promise.resolve(vscode.commands.executeCommand(command, ...args)).finally(() => (settled = true));
  for (let i = 0; i < 50 && !settled; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!settled) await vscode.commands.executeCommand('notifications.clearAll');
  }
  return result;
}

describe('AICLI Workspaces in the extension host', () => {
  it('is installed as a development extension', () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} not found`);
  });

  it('activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers aicli.showEngineInfo', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('aicli.showEngineInfo'), 'aicli.showEngineInfo is not registered');
  });

  it('connects to the engine and the tree shows no error node', async () => {
    const api = (await vscode.extensions.getExtension<AicliApi>(EXTENSION_ID)?.activate()) as AicliApi;
    await defaultScope(api).engine.connection();
    assert.strictEqual(defaultScope(api).engine.state.kind, 'connected');
    const roots = await api.tree.getChildren();
    assert.ok(
      roots.every((node) => node.kind !== 'engine'),
      'a connected engine shows workspaces (or the welcome view), not an engine node',
    );
  });

  it('opens the engine report from aicli.showEngineInfo', async () => {
    await executeDismissingNotifications('aicli.showEngineInfo');
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.scheme, 'aicli-info');
    assert.match(editor.document.getText(), /^Engine\s+Docker \d+\.\d+/m);
    assert.match(editor.document.getText(), /^Cgroups\s+v[12]/m);
  });
});
