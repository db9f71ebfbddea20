import { bundleEvaluationStartedAt } from './ui/loadClock';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { Engine } from './engine/engine';
import { defaultEngineName, EngineSet } from './engine/engines';
import { resolveEngineTarget } from './engine/target';
import { LiveWorkspaceIndex } from './workspace/liveIndex';
import { WorkspaceService } from './workspace/service';
import { CommandContext } from './ui/commands/context';
import { registerCreateCommand } from './ui/commands/create';
import { registerImageCommands } from './ui/commands/images';
import { registerInspectCommands } from './ui/commands/inspect';
import { registerLifecycleCommands } from './ui/commands/lifecycle';
import { registerLogCommands } from './ui/commands/logs';
import { registerMaintenanceCommands, runCleanup } from './ui/commands/maintenance';
import { LogChannels } from './ui/logChannels';
import { runCommandInWorkspace, runOutputChannelName } from './ui/commands/runCommand';
import { TreeNode } from './ui/tree/nodes';
import { openTerminal, TerminalContext, WorkspaceTerminalProfileProvider } from './ui/workspaceTerminal';
import { registerEngineCommands } from './ui/engineCommands';
import { EngineInfoDocumentProvider, engineInfoScheme } from './ui/engineInfoDocument';
import { createLog } from './ui/log';
import { FolderSettingsReporter } from './ui/ignoredFolderSettings';
import {
  affectsEngineSettings,
  cachedSettings,
  readEngineEntries,
  readEngineSettings,
  readLogSettings,
  readMonitorSettings,
  readTickerSettings,
  readWorkspacePolicy,
  aicliSettings,
} from './ui/settings';
import { SecurityMonitor } from './monitor/monitor';
import { notifyBreaches } from './ui/monitor/breachNotifier';
import { AlertDiagnostics } from './ui/monitor/diagnostics';
import { PolicyDocumentProvider, policyScheme, policyUri } from './ui/monitor/policyDocument';
import { registerQuickFixCommands } from './ui/monitor/quickFixes';
import { registerEgressCommands } from './ui/commands/egress';
import { pickFromTicker, StatusTicker } from './ui/monitor/statusTicker';
import { ImagesTreeProvider } from './ui/images/imagesView';
import { WorkspacesTreeProvider } from './ui/tree/workspacesTree';
import { EngineScope, EngineScopes } from './ui/scopes';

/** What activate() returns: the extension-host tests reach the live objects through it. */
export interface AicliApi {
  engine: Engine;
  /** Every engine's scope (the default one holds engine/service/index/monitor above). */
  scopes: EngineScopes;
  service: WorkspaceService;
  index: LiveWorkspaceIndex;
  tree: WorkspacesTreeProvider;
  images: ImagesTreeProvider;
  logChannels: LogChannels;
  monitor: SecurityMonitor;
  diagnostics: AlertDiagnostics;
  ticker: StatusTicker;
  /** User-only keys the open folders set (said in the log and the create summary). */
  folderSettings: FolderSettingsReporter;
  /** performance.now() stamps in the extension host, for bench/activation. */
  timings: { bundleEvaluationStartedAt: number; activateStartedAt: number; activateEndedAt: number };
}

export function activate(context: vscode.ExtensionContext): AicliApi {
  const activateStartedAt = performance.now();
  const { channel, engineLog } = createLog();
  const folderSettings = new FolderSettingsReporter(channel);
  const engines = new EngineSet(
    () => resolveEngineTarget(readEngineSettings(), process.env, homedir()),
    () => readEngineEntries(channel),
    () => readEngineSettings().timeoutMs,
    engineLog,
  );
  const monitorSettings = cachedSettings(
    ['aicli.monitor', 'aicli.network.blockedPorts', 'aicli.workspace.mountDockerSocket', 'aicli.workspace.protectedPaths'],
    readMonitorSettings,
  );
  const tickerSettings = cachedSettings(['aicli.statusBar'], readTickerSettings);
  const openFolders = (): string[] => (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const ticker = new StatusTicker(tickerSettings.get, openFolders, (containerId) =>
    scopes.ofContainer(containerId).index.workspaces.find((workspace) => workspace.containerId === containerId),
  );
  let treeVisible = false;
  // One scope per engine, the default one included; workspaces of the default engine carry no engine name.
  const scopes: EngineScopes = new EngineScopes(engines, (named): EngineScope => {
    const engineName = named.name === defaultEngineName ? undefined : named.name;
    const scopeMonitor = new SecurityMonitor(named.engine, { settings: monitorSettings.get, log: engineLog });
    const scopeIndex = new LiveWorkspaceIndex(named.engine, 50, engineName);
    scopeIndex.setActive(treeVisible);
    const diagnostics = new AlertDiagnostics(scopeMonitor);
    return {
      name: named.name,
      engine: named.engine,
      service: new WorkspaceService(
        () => named.engine.connection(),
        readWorkspacePolicy,
        (containerId, action) => scopeMonitor.withoutExecs(containerId, action),
        engineName,
      ),
      index: scopeIndex,
      monitor: scopeMonitor,
      diagnostics,
      parts: [diagnostics, ...notifyBreaches(scopeMonitor, channel), ticker.watch(scopeMonitor)],
    };
  });
  const { engine, service, index, monitor, diagnostics } = scopes.default;
  const showOther = (): boolean => aicliSettings('aicli').get<boolean>('tree.showOtherContainers', false);
  const tree = new WorkspacesTreeProvider(scopes, showOther);
  const treeView = vscode.window.createTreeView('aicli.workspaces', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const images = new ImagesTreeProvider(engine);
  const imagesView = vscode.window.createTreeView('aicli.images', { treeDataProvider: images });
  images.setVisible(imagesView.visible);
  const infoProvider = new EngineInfoDocumentProvider(engine);
  const commandContext: CommandContext = { engine, service, index, scopes, log: channel, state: context.globalState };
  const logChannels = new LogChannels((workspace) => scopes.of(workspace).engine, readLogSettings);
  const terminals: TerminalContext = { ...commandContext, shells: new Map() };
  const runChannel = vscode.window.createOutputChannel(runOutputChannelName);
  const buildChannel = vscode.window.createOutputChannel('AICLI Build');
  const policies = new PolicyDocumentProvider((containerId) => scopes.ofContainer(containerId).engine);
  // The indexes read their engines only while someone can see the view.
  const setTreeVisible = (visible: boolean): void => {
    treeVisible = visible;
    scopes.all.forEach((scope) => scope.index.setActive(visible));
  };
  setTreeVisible(treeView.visible);

  context.subscriptions.push(
    monitorSettings.subscription,
    tickerSettings.subscription,
    channel,
    scopes,
    engines,
    tree,
    treeView,
    infoProvider,
    treeView.onDidChangeVisibility((event) => setTreeVisible(event.visible)),
    images,
    imagesView,
    imagesView.onDidChangeVisibility((event) => images.setVisible(event.visible)),
    ...registerImageCommands(commandContext, () => images.refresh()),
    vscode.workspace.registerTextDocumentContentProvider(engineInfoScheme, infoProvider),
    ...registerEngineCommands(scopes, channel, () => tree.refresh()),
    ...registerLifecycleCommands(commandContext),
    ...registerInspectCommands(commandContext),
    registerCreateCommand(commandContext, folderSettings),
    logChannels,
    ...registerLogCommands(commandContext, logChannels),
    ...registerEgressCommands(commandContext),
    runChannel,
    vscode.commands.registerCommand('aicli.openTerminal', (clicked?: TreeNode) => openTerminal(terminals, clicked)),
    vscode.commands.registerCommand('aicli.openRootTerminal', (clicked?: TreeNode) => openTerminal(terminals, clicked, { root: true })),
    vscode.commands.registerCommand('aicli.runCommand', (clicked?: TreeNode) => runCommandInWorkspace(commandContext, runChannel, clicked)),
    vscode.window.registerTerminalProfileProvider('aicli.workspaceTerminal', new WorkspaceTerminalProfileProvider(terminals)),
    policies,
    ticker,
    vscode.workspace.registerTextDocumentContentProvider(policyScheme, policies),
    ...registerQuickFixCommands((containerId) => scopes.ofContainer(containerId), policies, channel),
    ...registerMaintenanceCommands(commandContext, buildChannel),
    buildChannel,
    vscode.commands.registerCommand('aicli.ticker.pick', () => pickFromTicker(ticker)),
    vscode.commands.registerCommand('aicli.showPolicy', async (clicked?: TreeNode) => {
      const workspace =
        clicked?.kind === 'workspace'
          ? clicked.workspace
          : (await vscode.window.showQuickPick(scopes.workspaces().map((ws) => ({ label: ws.name, description: ws.engine, ws }))))?.ws;
      if (workspace) await vscode.window.showTextDocument(policyUri(workspace));
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsEngineSettings(event)) engine.reconfigure();
      if (event.affectsConfiguration('aicli.engines') || affectsEngineSettings(event)) engines.reconfigure();
      if (event.affectsConfiguration('aicli.tree.showOtherContainers')) tree.refresh();
      if (event.affectsConfiguration('aicli.monitor') || event.affectsConfiguration('aicli.network.blockedPorts'))
        scopes.all.forEach((scope) => void scope.monitor.resync());
    }),
    engine.onNotice((notice) => {
      if (notice.kind === 'reconnected') infoProvider.refresh();
    }),
  );
  engines.start();
  void folderSettings.check();
  if (aicliSettings('aicli.cleanup').get<boolean>('onStartup', false)) {
    void engine.connection().then(
      () => runCleanup(commandContext, false),
      () => undefined,
    );
  }
  return {
    engine,
    scopes,
    service,
    index,
    tree,
    images,
    logChannels,
    monitor,
    diagnostics,
    ticker,
    folderSettings,
    timings: { bundleEvaluationStartedAt, activateStartedAt, activateEndedAt: performance.now() },
  };
}

export function deactivate(): void {}
