import * as vscode from 'vscode';
import { endMarkedProcesses, newSessionMarker } from '../../engine/sessionMarker';
import { Workspace } from '../../workspace/model';
import { showFailure } from '../notify';
import { PrefixedLineWriter } from '../../engine/outputLines';
import { TreeNode } from '../tree/nodes';
import { CommandContext } from './context';
import { targetWorkspaces } from './targets';

export const runOutputChannelName = 'AICLI Run';
export const stderrMark = '[stderr] ';

/**
 * `aicli.runCommand`, "Run Command in Workspace…": `sh -c <line>` in /workspace as a one-shot
 * exec; stdout and stderr (demultiplexed by WorkspaceService.exec) go to the "AICLI Run"
 * channel, stderr lines marked. Cancelling the notification detaches and then ends the
 * command's processes, which the engine would otherwise leave running. Resolves with the
 * exit code, or undefined when nothing ran to its end.
 */
export async function runCommandInWorkspace(
  context: CommandContext,
  channel: vscode.OutputChannel,
  clicked?: TreeNode,
  commandLine?: string,
): Promise<number | undefined> {
  const [workspace] = await targetWorkspaces(context, clicked, undefined, {
    title: 'Run Command',
    canPickMany: false,
    accepts: (ws) => ws.state === 'running',
  });
  if (!workspace) return undefined;
  const line =
    commandLine ??
    (await vscode.window.showInputBox({
      title: `Run Command in ${workspace.name}`,
      prompt: 'Runs with sh -c in /workspace.',
      placeHolder: 'npm test',
      ignoreFocusOut: true,
    }));
  if (!line?.trim()) return undefined;
  return runLine(context, channel, workspace, line.trim());
}

async function runLine(context: CommandContext, channel: vscode.OutputChannel, workspace: Workspace, line: string): Promise<number | undefined> {
  // The marker in the environment lets a cancel find the command and everything it started.
  const marker = newSessionMarker();
  const command = ['sh', '-c', `export ${marker}; ${line}`];
  const stdout = new PrefixedLineWriter('', (text) => channel.appendLine(text));
  const stderr = new PrefixedLineWriter(stderrMark, (text) => channel.appendLine(text));
  channel.show(true);
  channel.appendLine(`$ ${line}   [${workspace.name}, ${new Date().toLocaleTimeString()}]`);
  const started = Date.now();
  const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const title = `Running "${line.length > 40 ? `${line.slice(0, 39)}…` : line}" in ${workspace.name}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const controller = new AbortController();
    const cancelSubscription = token.onCancellationRequested(() => controller.abort());
    // A last line without its newline is shown before the result line.
    const flush = (): void => {
      stdout.flush();
      stderr.flush();
    };
    try {
      const code = await context.scopes.of(workspace).service.exec(workspace.containerId, command, { stdout, stderr }, controller.signal);
      flush();
      channel.appendLine(`[exit code ${code}, ${seconds()}]`);
      if (code !== 0) void vscode.window.showWarningMessage(`"${line}" exited with code ${code} in ${workspace.name}.`);
      return code;
    } catch (err) {
      flush();
      if (!controller.signal.aborted) {
        channel.appendLine(`[failed after ${seconds()}]`);
        await showFailure(err, { engine: context.scopes.of(workspace).engine, log: context.log, doing: `Run "${line}" in ${workspace.name}` });
        return undefined;
      }
      channel.appendLine(`[cancelled after ${seconds()}]`);
      await context.scopes
        .of(workspace)
        .engine.connection()
        .then((connection) => endMarkedProcesses(connection, workspace.containerId, marker, undefined, 'TERM'))
        .catch((end: unknown) =>
          context.log.warn(`could not end the cancelled command in ${workspace.name}: ${end instanceof Error ? end.message : String(end)}`),
        );
      return undefined;
    } finally {
      cancelSubscription.dispose();
    }
  });
}
