import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { endMarkedProcesses, newSessionMarker } from '../engine/sessionMarker';
import { Workspace } from '../workspace/model';
import { WorkspaceService } from '../workspace/service';
import { PrefixedLineWriter } from './outputLines';
import { pickRunningWorkspace, workspaceFromArgument } from './pickWorkspace';

export const runOutputChannelName = 'AICLI Run';
export const stderrMark = '[stderr] ';

export interface RunCommandDeps {
  engine: Engine;
  service: WorkspaceService;
  /** vscode.window.createOutputChannel(runOutputChannelName), owned by the caller. */
  channel: vscode.OutputChannel;
  log?: vscode.LogOutputChannel;
}

function messageOf(err: unknown): string {
  if (err instanceof EngineError) return err.userMessage;
  return err instanceof Error ? err.message : String(err);
}

/**
 * "Run Command in Workspace…": `sh -c <line>` in /workspace as a one-shot exec; stdout and
 * stderr (demultiplexed by WorkspaceService.exec) go to the "AICLI Run" channel with stderr
 * lines marked. Cancelling the notification detaches and then ends the command's processes,
 * which the engine would otherwise leave running. Resolves with the exit code, or undefined.
 */
export async function runCommandInWorkspace(deps: RunCommandDeps, argument?: unknown, commandLine?: string): Promise<number | undefined> {
  let workspace: Workspace | undefined;
  try {
    workspace = (await workspaceFromArgument(deps.service, argument)) ?? (await pickRunningWorkspace(deps.service, 'Run a command in which workspace?'));
  } catch (err) {
    void vscode.window.showErrorMessage(messageOf(err));
    return undefined;
  }
  if (!workspace) return undefined;
  const line = commandLine ?? (await vscode.window.showInputBox({ title: `Run Command in ${workspace.name}`, prompt: 'Runs with sh -c in /workspace.', placeHolder: 'npm test', ignoreFocusOut: true }));
  if (!line?.trim()) return undefined;
  return runLine(deps, workspace, line.trim());
}

async function runLine(deps: RunCommandDeps, workspace: Workspace, line: string): Promise<number | undefined> {
  const { channel } = deps;
  // The marker in the environment lets a cancel find the command and everything it started.
  const marker = newSessionMarker();
  const command = ['sh', '-c', `export ${marker}; ${line}`];
  const stdout = new PrefixedLineWriter('', (text) => channel.appendLine(text));
  const stderr = new PrefixedLineWriter(stderrMark, (text) => channel.appendLine(text));
  channel.show(true);
  channel.appendLine(`$ ${line}   [${workspace.name}, ${new Date().toLocaleTimeString()}]`);
  const started = Date.now();
  const title = `Running "${line.length > 40 ? `${line.slice(0, 39)}…` : line}" in ${workspace.name}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const controller = new AbortController();
    const cancelSubscription = token.onCancellationRequested(() => controller.abort());
    const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    try {
      const code = await deps.service.exec(workspace.containerId, command, { stdout, stderr }, controller.signal);
      stdout.flush();
      stderr.flush();
      channel.appendLine(`[exit code ${code}, ${seconds()}]`);
      if (code !== 0) void vscode.window.showWarningMessage(`"${line}" exited with code ${code} in ${workspace.name}.`);
      return code;
    } catch (err) {
      stdout.flush();
      stderr.flush();
      if (!controller.signal.aborted) {
        channel.appendLine(`[failed: ${messageOf(err)}]`);
        void vscode.window.showErrorMessage(messageOf(err));
        return undefined;
      }
      channel.appendLine(`[cancelled after ${seconds()}]`);
      await deps.engine
        .connection()
        .then((connection) => endMarkedProcesses(connection, workspace.containerId, marker, undefined, 'TERM'))
        .catch((end: unknown) => deps.log?.warn(`could not end the cancelled command in ${workspace.name}: ${messageOf(end)}`));
      return undefined;
    } finally {
      cancelSubscription.dispose();
    }
  });
}
