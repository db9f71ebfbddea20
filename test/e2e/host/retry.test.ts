// Retry belongs to one engine: the error row of a second engine, its inline Retry action and the
// Retry of a failure notification about it all reconnect that engine, not the default one. The
// second engine is the test engine behind a proxy socket the test takes down and brings back.
import * as assert from 'assert';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as vscode from 'vscode';
import type { Engine, EngineState } from '../../../src/engine/engine';
import type { AicliApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/ui/tree/nodes';
import type { Workspace } from '../../../src/workspace/model';
import { engineState } from '../../support/waits';
import { EngineProxy } from './engineOutage';
import { answerErrorMessages } from './errorMessages';
import { activeApi, until, defaultScope } from './support';

type EngineRow = Extract<TreeNode, { kind: 'engine' }>;
type Unreachable = Extract<EngineState, { kind: 'unreachable' }>;

/** The engine's longest wait between its own reconnect attempts (Engine's default backoff). */
const longestBackoffMs = 3000;

describe('Retry reconnects the engine it belongs to', function () {
  this.timeout(90_000);
  const engineName = 'flaky';
  let api: AicliApi;
  let proxy: EngineProxy;
  let dir: string;

  const flaky = (): Engine => {
    const scope = api.scopes.all.find((candidate) => candidate.name === engineName);
    if (!scope) throw new Error(`no scope for engine ${engineName}`);
    return scope.engine;
  };
  const errorRow = async (): Promise<EngineRow> => {
    const group = ((await api.tree.getChildren()) as TreeNode[]).find((node) => node.kind === 'engineGroup' && node.name === engineName);
    assert.ok(group, `no group for engine ${engineName} in the tree`);
    const row = ((await api.tree.getChildren(group)) as TreeNode[]).find(
      (node): node is EngineRow => node.kind === 'engine' && node.state.kind === 'unreachable',
    );
    assert.ok(row, `no error row under ${engineName}`);
    return row;
  };

  /**
   * Takes the engine down until its own backoff is at its longest, brings it back and runs
   * `retry` at once. Resolves with how long it then took to be connected again, and the wait
   * the engine would have taken by itself.
   */
  async function reconnectAfter(retry: (row: EngineRow) => Promise<unknown>): Promise<{ tookMs: number; ownRetryInMs: number }> {
    await proxy.down();
    const down = (await engineState(flaky(), (state) => state.kind === 'unreachable' && state.retryInMs >= longestBackoffMs, 15_000)) as Unreachable;
    const row = await errorRow();
    await proxy.up();
    const started = Date.now();
    const connected = engineState(flaky(), (state) => state.kind === 'connected', down.retryInMs + 10_000);
    await retry(row);
    await connected;
    return { tookMs: Date.now() - started, ownRetryInMs: down.retryInMs };
  }

  const assertRetried = ({ tookMs, ownRetryInMs }: { tookMs: number; ownRetryInMs: number }, how: string): void => {
    console.log(`      ${how}: connected ${tookMs} ms after the Retry (its own timer: ${ownRetryInMs} ms)`);
    assert.ok(
      tookMs < ownRetryInMs / 2,
      `${how}: ${engineName} was connected again only after ${tookMs} ms, by its own reconnect timer (${ownRetryInMs} ms), not by the Retry`,
    );
  };

  before(async () => {
    api = await activeApi();
    await vscode.commands.executeCommand('aicli.workspaces.focus');
    const upstream = defaultScope(api).engine.target?.host ?? '';
    assert.match(upstream, /^unix:\/\//, 'the test engine is expected on a unix socket');
    dir = mkdtempSync(join(tmpdir(), 'aicli-proxy-'));
    proxy = new EngineProxy(join(dir, 'docker.sock'), upstream.slice('unix://'.length));
    await proxy.up();
    await vscode.workspace.getConfiguration('aicli').update('engines', [{ name: engineName, host: proxy.host }], vscode.ConfigurationTarget.Global);
    await until(`a scope for ${engineName}`, 10_000, () => api.scopes.all.find((scope) => scope.name === engineName));
    await engineState(flaky(), (state) => state.kind === 'connected', 20_000);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('aicli').update('engines', undefined, vscode.ConfigurationTarget.Global);
    await proxy?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('clicking the error row of a second engine reconnects that engine', async () => {
    const result = await reconnectAfter(async (row) => {
      const command = api.tree.getTreeItem(row).command;
      assert.ok(command, 'the error row has no click command');
      await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    });
    assertRetried(result, 'clicking the row');
    assert.strictEqual(defaultScope(api).engine.state.kind, 'connected');
  });

  it("the row's inline Retry action reconnects that engine", async () => {
    // A view/item/context action is called with the row's node.
    assertRetried(await reconnectAfter((row) => Promise.resolve(vscode.commands.executeCommand('aicli.retryConnection', row))), 'the inline action');
  });

  it("Retry on a failure notification about a second engine's workspace reconnects that engine", async () => {
    const workspace: Workspace = {
      id: `retry${process.pid}`,
      name: `on-${engineName}`,
      level: 'standard',
      folder: dir,
      image: 'aicli/base:latest',
      containerId: `retry-${process.pid}`,
      containerName: `aicli-on-${engineName}`,
      network: 'none',
      state: 'running',
      status: 'Up 1 minute',
      createdAt: new Date(),
      ports: [],
      labels: {},
      engine: engineName,
    };
    const errors = answerErrorMessages('Retry');
    try {
      const result = await reconnectAfter(() => Promise.resolve(vscode.commands.executeCommand('aicli.showLogs', { kind: 'workspace', workspace })));
      assert.ok(
        errors.shown.some(({ message, buttons }) => message.includes(proxy.host) && buttons.includes('Retry')),
        `no failure with Retry about ${proxy.host} was shown: ${JSON.stringify(errors.shown)}`,
      );
      assertRetried(result, 'Retry on the notification');
    } finally {
      errors.dispose();
    }
  });
});
