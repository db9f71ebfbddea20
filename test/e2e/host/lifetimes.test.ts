// Lifetimes in the extension host: aicli.lifetime.idleStop changed through the configuration API
// turns this window's lifetimes on (it becomes the engine's keeper) and off again; a value that is
// no duration leaves them off. Only long limits are set: nothing on the shared engine is stopped.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import { activeApi, defaultScope, until } from './support';

const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('aicli.lifetime');

describe('Lifetimes settings', function () {
  this.timeout(60_000);
  let api: AicliApi;
  let saved: string | undefined;

  before(async () => {
    api = await activeApi();
    saved = settings().inspect<string>('idleStop')?.globalValue;
    await defaultScope(api).engine.connection();
  });
  after(async () => {
    await settings().update('idleStop', saved, vscode.ConfigurationTarget.Global);
  });

  it('turns on with aicli.lifetime.idleStop and off again', async () => {
    const scope = defaultScope(api);
    await settings().update('idleStop', 'off', vscode.ConfigurationTarget.Global);
    assert.strictEqual(api.lifetimesOf(scope), undefined);
    await settings().update('idleStop', '7d', vscode.ConfigurationTarget.Global);
    const lifetimes = await until('the lifetimes to run', 10_000, () => api.lifetimesOf(scope));
    assert.deepStrictEqual(lifetimes.warnings, []);
    await settings().update('idleStop', 'off', vscode.ConfigurationTarget.Global);
    await until('the lifetimes to stop', 10_000, () => api.lifetimesOf(scope) === undefined || undefined);
  });

  it('leaves them off for a value that is no duration', async () => {
    await settings().update('idleStop', 'half an hour', vscode.ConfigurationTarget.Global);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.strictEqual(api.lifetimesOf(defaultScope(api)), undefined);
  });
});
