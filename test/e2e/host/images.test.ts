// Create Workspace from Image run from the palette lists the engine's images first; when that
// listing fails the user is told why, instead of the command doing nothing.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import { engineState } from '../../support/waits';
import { answerErrorMessages } from './errorMessages';
import { activeApi, defaultScope } from './support';

describe('Create Workspace from Image when the images cannot be listed', function () {
  this.timeout(60_000);
  const missingHost = 'unix:///nonexistent/aicli-e2e-images.sock';
  let api: AicliApi;
  let configuredHost: string | undefined;
  const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('aicli');

  before(async () => {
    api = await activeApi();
    configuredHost = settings().inspect<string>('docker.host')?.globalValue;
  });
  after(async () => {
    await settings().update('docker.host', configuredHost, vscode.ConfigurationTarget.Global);
    await engineState(defaultScope(api).engine, (state) => state.kind === 'connected', 20_000);
  });

  it('shows why the images could not be listed', async () => {
    await settings().update('docker.host', missingHost, vscode.ConfigurationTarget.Global);
    await engineState(defaultScope(api).engine, (state) => state.kind === 'unreachable', 20_000);
    const errors = answerErrorMessages();
    try {
      await vscode.commands.executeCommand('aicli.createWorkspaceFromImage');
    } finally {
      errors.dispose();
    }
    assert.ok(
      errors.shown.some(({ message }) => message.includes(missingHost)),
      `no error about ${missingHost} was shown (the listing failure was swallowed): ${JSON.stringify(errors.shown)}`,
    );
  });
});
