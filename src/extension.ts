import { bundleEvaluationStartedAt } from './ui/loadClock';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { defaultEngineName, EngineSet } from './engine/engines';
import { resolveEngineTarget } from './engine/target';
import { CommandContext } from './ui/commands/context';
import { registerCreateCommand } from './ui/commands/create';
import { registerImageCommands } from './ui/commands/images';
import { registerInspectCommands } from './ui/commands/inspect';
import { CommandRun, registerCommand } from './ui/commands/kernel';
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
  readMetricsHistoryEnabled,
} from './ui/settings';
import { notifyBreaches } from './ui/monitor/breachNotifier';
import { PolicyDocumentProvider, policyScheme, policyUri } from './ui/monitor/policyDocument';
import { registerQuickFixCommands } from './ui/monitor/quickFixes';
import { registerEgressCommands } from './ui/commands/egress';
import { pickFromTicker, StatusTicker } from './ui/monitor/statusTicker';
import { ImagesTreeProvider } from './ui/images/imagesView';
import { WorkspacesTreeProvider } from './ui/tree/workspacesTree';
import { registerChangesView } from './ui/changes/register';
import type { ChangesTreeProvider } from './ui/changes/view';
import { makeUiScope, UiEngineScopes } from './ui/scopes';
import { registerAgentSupport } from './ui/agent/register';
import { registerMetricsCommands } from './ui/metrics/commands';
import { MetricsSupport } from './ui/metrics/metricsSupport';
import { EngineScope, EngineScopes } from './workspace/scope';
import type { AuditSink } from './audit/sink';
import type { AuditTrail } from './audit/trail';
import { extensionAuditTrail } from './ui/audit/extensionTrail';
import { registerAuditSupport } from './ui/audit/register';
import type { SecurityTreeProvider } from './ui/security/securityView';
import { registerLifetimes } from './ui/lifetimes/register';
import type { WorkspaceLifetimes } from './workspace/lifetimes/lifetimes';

/** What activate() returns: the extension-host tests reach the live objects through it. */
export interface AicliApi {
  /** Every engine's scope: the only way to a workspace, its engine, index and monitor. */
  scopes: UiEngineScopes;
  tree: WorkspacesTreeProvider;
  /** The Changes view of the review workspaces. */
  changes: ChangesTreeProvider;
  images: ImagesTreeProvider;
  /** The audit trail this window writes (and reads for the Security view and the audit documents). */
  audit: AuditTrail;
  security: SecurityTreeProvider;
  logChannels: LogChannels;
  ticker: StatusTicker;
  /** The metrics history (every engine's samples) and the open graph panels. */
  metrics: MetricsSupport;
  /** User-only keys the open folders set (said in the log and the create summary). */
  folderSettings: FolderSettingsReporter;
  /** An engine's lifetimes (aicli.lifetime.*), when on and this window is their keeper. */
  lifetimesOf: (scope: EngineScope) => WorkspaceLifetimes | undefined;
  /** performance.now() stamps in the extension host, for bench/activation. */
  timings: { bundleEvaluationStartedAt: number; activateStartedAt: number; activateEndedAt: number };
}

type Log = ReturnType<typeof createLog>;

/** One scope per engine, the default one included, each with its UI parts. */
function makeScopes(
  log: Log,
  ticker: StatusTicker,
  treeVisible: () => boolean,
  audit: AuditSink,
  metrics: MetricsSupport,
): { engines: EngineSet; scopes: UiEngineScopes; subscriptions: vscode.Disposable[] } {
  const { channel, engineLog } = log;
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
  const scopes = new EngineScopes(engines, (named) =>
    makeUiScope(named, {
      policy: readWorkspacePolicy,
      monitorSettings: monitorSettings.get,
      log: engineLog,
      partsFor: (scope) => [...notifyBreaches(scope.monitor, channel), ticker.watch(scope.monitor), metrics.watch(scope.monitor)],
      indexActive: treeVisible,
      audit,
    }),
  );
  return { engines, scopes, subscriptions: [monitorSettings.subscription, scopes, engines] };
}

/** The views: the Workspaces tree (its indexes read their engines only while it is visible) and the default engine's Images. */
function registerViews(
  scopes: UiEngineScopes,
  setTreeVisible: (visible: boolean) => void,
): { tree: WorkspacesTreeProvider; images: ImagesTreeProvider; subscriptions: vscode.Disposable[] } {
  const showOther = (): boolean => aicliSettings('aicli').get<boolean>('tree.showOtherContainers', false);
  const tree = new WorkspacesTreeProvider(scopes, showOther);
  const treeView = vscode.window.createTreeView('aicli.workspaces', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const images = new ImagesTreeProvider(scopes.byName(defaultEngineName).engine);
  const imagesView = vscode.window.createTreeView('aicli.images', { treeDataProvider: images });
  images.setVisible(imagesView.visible);
  setTreeVisible(treeView.visible);
  const subscriptions = [
    tree,
    treeView,
    treeView.onDidChangeVisibility((event) => setTreeVisible(event.visible)),
    images,
    imagesView,
    imagesView.onDidChangeVisibility((event) => images.setVisible(event.visible)),
  ];
  return { tree, images, subscriptions };
}

/** The commands of the terminals, Run Command and the policy document. */
function registerWorkspaceCommands(context: CommandContext, policies: PolicyDocumentProvider): vscode.Disposable[] {
  const terminals: TerminalContext = { ...context, shells: new Map() };
  const runChannel = vscode.window.createOutputChannel(runOutputChannelName);
  const { log, scopes } = context;
  return [
    runChannel,
    registerCommand(log, 'aicli.openTerminal', 'Open terminal', (_run: CommandRun, clicked?: TreeNode) => openTerminal(terminals, clicked)),
    registerCommand(log, 'aicli.openRootTerminal', 'Open root terminal', (_run: CommandRun, clicked?: TreeNode) =>
      openTerminal(terminals, clicked, { root: true }),
    ),
    // A command line after the row: scripts and tests run it without the input box.
    registerCommand(log, 'aicli.runCommand', 'Run command', (_run: CommandRun, clicked?: TreeNode, commandLine?: string) =>
      runCommandInWorkspace(context, runChannel, clicked, commandLine),
    ),
    vscode.window.registerTerminalProfileProvider('aicli.workspaceTerminal', new WorkspaceTerminalProfileProvider(terminals)),
    policies,
    vscode.workspace.registerTextDocumentContentProvider(policyScheme, policies),
    ...registerQuickFixCommands((containerId) => scopes.holding(containerId), policies, log),
    registerCommand(log, 'aicli.showPolicy', 'Show policy', async (_run: CommandRun, clicked?: TreeNode) => {
      const workspace =
        clicked?.kind === 'workspace'
          ? clicked.workspace
          : (await vscode.window.showQuickPick(scopes.workspaces().map((ws) => ({ label: ws.name, description: ws.engine, ws }))))?.ws;
      if (workspace) await vscode.window.showTextDocument(policyUri(workspace));
    }),
  ];
}

function onSettingsChange(engines: EngineSet, scopes: UiEngineScopes, tree: WorkspacesTreeProvider): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    // The set leaves its default engine alone on reconfigure: that one follows aicli.docker.*.
    if (affectsEngineSettings(event)) engines.default.reconfigure();
    if (event.affectsConfiguration('aicli.engines') || affectsEngineSettings(event)) engines.reconfigure();
    if (event.affectsConfiguration('aicli.tree.showOtherContainers')) tree.refresh();
    if (event.affectsConfiguration('aicli.monitor') || event.affectsConfiguration('aicli.network.blockedPorts'))
      scopes.all.forEach((scope) => void scope.monitor.resync());
  });
}

export function activate(context: vscode.ExtensionContext): AicliApi {
  const activateStartedAt = performance.now();
  const log = createLog();
  const { channel } = log;
  const folderSettings = new FolderSettingsReporter(channel);
  const tickerSettings = cachedSettings(['aicli.statusBar'], readTickerSettings);
  const openFolders = (): string[] => (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const metrics = new MetricsSupport({ extensionUri: context.extensionUri, log, historyEnabled: readMetricsHistoryEnabled });
  const ticker = new StatusTicker(
    tickerSettings.get,
    openFolders,
    (containerId) => scopes.ofContainer(containerId)?.index.workspaces.find((workspace) => workspace.containerId === containerId),
    (workspaceId) => metrics.trends.line(workspaceId),
  );
  let treeVisible = false;
  const audit = extensionAuditTrail(channel);
  const { engines, scopes, subscriptions } = makeScopes(log, ticker, () => treeVisible, audit.trail.sink(), metrics);
  const views = registerViews(scopes, (visible) => {
    treeVisible = visible;
    scopes.all.forEach((scope) => scope.index.setActive(visible));
  });
  const defaultEngine = engines.default;
  const infoProvider = new EngineInfoDocumentProvider(defaultEngine);
  const commandContext: CommandContext = { scopes, log: channel, state: context.globalState };
  const logChannels = new LogChannels((workspace) => scopes.of(workspace).engine, readLogSettings);
  const buildChannel = vscode.window.createOutputChannel('AICLI Build');
  const policies = new PolicyDocumentProvider((containerId) => scopes.holding(containerId).engine);
  const auditSupport = registerAuditSupport(commandContext, audit);
  const lifetimes = registerLifetimes(commandContext);

  context.subscriptions.push(
    tickerSettings.subscription,
    channel,
    ...subscriptions,
    ...views.subscriptions,
    infoProvider,
    ...registerImageCommands(commandContext, () => views.images.refresh()),
    vscode.workspace.registerTextDocumentContentProvider(engineInfoScheme, infoProvider),
    ...registerEngineCommands(scopes, channel, () => views.tree.refresh()),
    ...registerLifecycleCommands(commandContext),
    ...registerInspectCommands(commandContext),
    registerCreateCommand(commandContext, folderSettings, logChannels),
    logChannels,
    ...registerLogCommands(commandContext, logChannels),
    ...registerEgressCommands(commandContext),
    ...registerWorkspaceCommands(commandContext, policies),
    ticker,
    ...registerMaintenanceCommands(commandContext, buildChannel),
    buildChannel,
    registerCommand(channel, 'aicli.ticker.pick', 'Show workspace stats', () => pickFromTicker(ticker)),
    ...registerMetricsCommands(commandContext, metrics),
    metrics,
    ...registerAgentSupport({ scopes, log: channel, folderSettings, extensionPath: context.extensionPath, audit: audit.trail.sink() }),
    ...auditSupport.subscriptions,
    ...lifetimes.subscriptions,
    onSettingsChange(engines, scopes, views.tree),
    defaultEngine.onNotice((notice) => {
      if (notice.kind === 'reconnected') infoProvider.refresh();
    }),
  );
  engines.start();
  void folderSettings.check();
  if (aicliSettings('aicli.cleanup').get<boolean>('onStartup', false)) {
    void defaultEngine.connection().then(
      () => runCleanup(commandContext, false),
      () => undefined,
    );
  }
  const changes = registerChangesView(commandContext, views.tree, context.subscriptions);
  const timings = { bundleEvaluationStartedAt, activateStartedAt, activateEndedAt: performance.now() };
  const api = { scopes, tree: views.tree, changes, images: views.images, audit: audit.trail, security: auditSupport.security, logChannels, ticker, metrics };
  return { ...api, folderSettings, lifetimesOf: lifetimes.lifetimesOf, timings };
}

export function deactivate(): void {}
