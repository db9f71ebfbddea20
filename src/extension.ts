import { bundleEvaluationStartedAt } from './ui/loadClock';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { Engine } from './engine/engine';
import { resolveEngineTarget } from './engine/target';
import { registerEngineCommands } from './ui/engineCommands';
import { EngineInfoDocumentProvider, engineInfoScheme } from './ui/engineInfoDocument';
import { createLog } from './ui/log';
import { affectsEngineSettings, readEngineSettings } from './ui/settings';
import { WorkspacesTreeProvider } from './ui/workspacesTree';

/** What activate() returns: the extension-host tests reach the live objects through it. */
export interface AicliApi {
  engine: Engine;
  tree: WorkspacesTreeProvider;
  /** performance.now() stamps in the extension host, for bench/activation. */
  timings: { bundleEvaluationStartedAt: number; activateStartedAt: number; activateEndedAt: number };
}

export function activate(context: vscode.ExtensionContext): AicliApi {
  const activateStartedAt = performance.now();
  const { channel, engineLog } = createLog();
  const engine = new Engine(() => resolveEngineTarget(readEngineSettings(), process.env, homedir()), { log: engineLog });
  const tree = new WorkspacesTreeProvider(engine);
  const infoProvider = new EngineInfoDocumentProvider(engine);

  context.subscriptions.push(
    channel,
    engine,
    tree,
    infoProvider,
    vscode.window.createTreeView('aicli.workspaces', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true }),
    vscode.workspace.registerTextDocumentContentProvider(engineInfoScheme, infoProvider),
    ...registerEngineCommands(engine, channel, () => tree.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsEngineSettings(event)) engine.reconfigure();
    }),
    engine.onNotice((notice) => {
      if (notice.kind === 'reconnected') infoProvider.refresh();
    }),
  );
  engine.start();
  return { engine, tree, timings: { bundleEvaluationStartedAt, activateStartedAt, activateEndedAt: performance.now() } };
}

export function deactivate(): void {}
