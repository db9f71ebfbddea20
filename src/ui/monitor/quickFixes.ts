import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { inspectContainer, updateContainer } from '../../engine/containers';
import { Engine } from '../../engine/engine';
import { alertKey } from '../../monitor/alerts';
import { egressDestinationIn, egressRule } from '../../monitor/egressRefusals';
import { frozenMessageStart, unfreezeCommand } from '../../monitor/frozen';
import { EngineScope } from '../../workspace/scope';
import { CommandId } from '../commands/ids';
import { CommandRun, registerCommand } from '../commands/kernel';
import { policyLines, PolicyDocumentProvider, policyScheme } from './policyDocument';

type Limit = 'memory' | 'cpu' | 'pids';

/** Stop, pause, raise the limit, open settings — offered on every alert of a policy document. */
export class AlertQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const containerId = new URLSearchParams(document.uri.query).get('id') ?? '';
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === 'AICLI')
      .flatMap((diagnostic) => {
        const item = policyLines[diagnostic.range.start.line - 2];
        const action = (title: string, command: string, args: unknown[], preferred = false): vscode.CodeAction => {
          const fix = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
          fix.diagnostics = [diagnostic];
          fix.command = { title, command, arguments: args };
          fix.isPreferred = preferred;
          return fix;
        };
        if (diagnostic.message.startsWith(frozenMessageStart)) {
          // Pause and stop would hang on this container too: only the way out is offered.
          return [
            action(
              'Copy the command that unfreezes this workspace (run it as root on the engine host)',
              'aicli.monitor.copyUnfreezeCommand',
              [containerId],
              true,
            ),
            action('Unfreeze this workspace in a terminal (sudo)', 'aicli.monitor.unfreezeInTerminal', [containerId]),
          ];
        }
        const fixes: vscode.CodeAction[] = [];
        const destination = item === 'egress' ? egressDestinationIn(diagnostic.message) : undefined;
        if (destination) fixes.push(action(`Allow ${destination} for this workspace`, 'aicli.monitor.allowEgress', [containerId, destination], true));
        if (item === 'memory' || item === 'cpu' || item === 'pids')
          fixes.push(action(`Raise the ${item} limit of this workspace`, 'aicli.monitor.raiseLimit', [containerId, item], true));
        fixes.push(action('Pause this workspace', 'aicli.monitor.pause', [containerId]));
        fixes.push(action('Stop this workspace', 'aicli.monitor.stop', [containerId]));
        fixes.push(
          item === 'egress'
            ? action('Open egress settings', 'workbench.action.openSettings', ['aicli.network'])
            : action('Open monitor settings', 'workbench.action.openSettings', ['aicli.monitor']),
        );
        return fixes;
      });
  }
}

/** The live `container.update` behind "Raise the limit": memory and pids double, CPU +50 %. */
async function raiseLimit(engine: Engine, containerId: string, limit: Limit): Promise<string> {
  const connection = await engine.connection();
  const host = (await inspectContainer(connection, containerId)).HostConfig;
  if (limit === 'memory') {
    const memory = (host.Memory || 512 * 2 ** 20) * 2;
    await updateContainer(connection, containerId, { Memory: memory, MemorySwap: memory });
    return `memory ${formatBytes(memory)}`;
  }
  if (limit === 'pids') {
    const pids = (host.PidsLimit || 100) * 2;
    await updateContainer(connection, containerId, { PidsLimit: pids });
    return `pids ${pids}`;
  }
  const period = host.CpuPeriod || 100_000;
  const quota = Math.round((host.CpuQuota || period) * 1.5);
  await updateContainer(connection, containerId, { CpuPeriod: period, CpuQuota: quota });
  return `CPU ${quota / period}`;
}

/** scopeOf: the scope of the engine a container runs on (several engines). */
export function registerQuickFixCommands(
  scopeOf: (containerId: string) => EngineScope,
  policies: PolicyDocumentProvider,
  log: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const refresh = (): void => vscode.workspace.textDocuments.filter((doc) => doc.uri.scheme === policyScheme).forEach((doc) => policies.refresh(doc.uri));
  /** Runs on the container's engine (a failure's Retry reconnects that one), then redraws the open policy documents. */
  const onContainer = (id: CommandId, doing: string, act: (scope: EngineScope, containerId: string, arg: string) => Promise<unknown>): vscode.Disposable =>
    registerCommand(log, id, doing, async (run: CommandRun, containerId: string, arg: string) => {
      await act(run.on(scopeOf(containerId)), containerId, arg);
      refresh();
    });
  return [
    vscode.languages.registerCodeActionsProvider({ scheme: policyScheme }, new AlertQuickFixes(), { providedCodeActionKinds: AlertQuickFixes.kinds }),
    onContainer('aicli.monitor.raiseLimit', 'Raise the limit', async (scope, containerId, limit) => {
      const now = await raiseLimit(scope.engine, containerId, limit as Limit);
      log.info(`raised the limit of ${containerId.slice(0, 12)}: ${now}`);
      vscode.window.setStatusBarMessage(`AICLI: ${now}`, 4000);
    }),
    onContainer('aicli.monitor.allowEgress', 'Allow host', (scope, containerId, destination) => allowForWorkspace(scope, containerId, destination, log)),
    registerCommand(log, 'aicli.monitor.copyUnfreezeCommand', 'Copy the unfreeze command', (_run: CommandRun, containerId: string) =>
      copyUnfreezeCommand(containerId),
    ),
    registerCommand(log, 'aicli.monitor.unfreezeInTerminal', 'Unfreeze', (run: CommandRun, containerId: string) =>
      unfreezeInTerminal(containerId, run.on(scopeOf(containerId)).engine),
    ),
    onContainer('aicli.monitor.pause', 'Pause', (scope, containerId) => scope.service.lifecycle(containerId, 'pause')),
    onContainer('aicli.monitor.stop', 'Stop', (scope, containerId) => scope.service.lifecycle(containerId, 'stop')),
  ];
}

/**
 * Kept in the workspace's gateway on the engine (never in the folder, where the box could
 * write it) and applied by restarting the gateway; the alert goes once the host is allowed.
 */
async function allowForWorkspace(scope: EngineScope, containerId: string, destination: string, log: vscode.LogOutputChannel): Promise<void> {
  const workspace = await scope.service.find(containerId);
  const plan = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Allowing ${destination} for ${workspace.name}…` },
    () => scope.allowEgress(workspace, [destination]),
  );
  scope.monitor.alerts.clear(alertKey(containerId, egressRule(destination)));
  log.info(`${workspace.name}: egress ${plan.mode} now allows ${[...plan.allow.domains, ...plan.allow.cidrs].join(', ')}`);
  void vscode.window.showInformationMessage(
    `${workspace.name} may now reach ${destination} (egress ${plan.mode}). Open connections of the workspace were reset.`,
  );
}

async function copyUnfreezeCommand(containerId: string): Promise<void> {
  await vscode.env.clipboard.writeText(unfreezeCommand(containerId));
  void vscode.window.showInformationMessage("Copied the unfreeze command. Run it as root on the engine's host, then Resume the workspace.");
}

/** Typed into a terminal, not run: sudo asks for a password, and the user sees what runs as root. */
function unfreezeInTerminal(containerId: string, engine: Engine): void {
  if (engine.target?.spec.scheme !== 'unix') {
    void copyUnfreezeCommand(containerId).then(() =>
      vscode.window.showWarningMessage(`The engine (${engine.target?.host ?? 'remote'}) runs on another host: the command was copied; run it there as root.`),
    );
    return;
  }
  const terminal = vscode.window.createTerminal({ name: 'AICLI unfreeze' });
  terminal.show();
  terminal.sendText(unfreezeCommand(containerId), false);
  void vscode.window.showInformationMessage('Press Enter in the terminal to unfreeze (sudo), then Resume the workspace.');
}

/** An error notification with the two ways out of a frozen workspace (see monitor/frozen.ts). */
export function offerUnfreeze(message: string, containerId: string): void {
  void vscode.window.showErrorMessage(message, 'Unfreeze in Terminal', 'Copy Command').then(async (picked) => {
    if (picked === 'Unfreeze in Terminal') await vscode.commands.executeCommand('aicli.monitor.unfreezeInTerminal', containerId);
    if (picked === 'Copy Command') await vscode.commands.executeCommand('aicli.monitor.copyUnfreezeCommand', containerId);
  });
}
