import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { InputError } from '../../engine/errors';
import { PrefixedLineWriter } from '../../engine/outputLines';
import { lifecycleArgv, readDevcontainerConfig } from '../../workspace/devcontainer/config';
import { devcontainerRequest, devcontainerSummary, runLifecycleCommands } from '../../workspace/devcontainer/create';
import { DevcontainerPlan, planDevcontainer } from '../../workspace/devcontainer/plan';
import { Workspace } from '../../workspace/model';
import { CreateWorkspaceRequest } from '../../workspace/request';
import { EngineScope } from '../../workspace/scope';

/** A folder's devcontainer.json as a create uses it. */
export interface DevcontainerUse {
  plan: DevcontainerPlan;
  skipFeatures: boolean;
  /** Run its initializeCommand on this machine: only after the user said so in a modal that showed it. */
  runInitialize: boolean;
}

/** Where lifecycle command output goes: the workspace's own output channel. */
export interface LifecycleOutput {
  appendLines(workspace: Workspace, lines: string[]): Promise<void>;
}

/**
 * The plan of a devcontainer.json; features (not fetched offline) need a yes in a modal that
 * names them, initializeCommand one that shows it. Undefined: the user said no. A bad file
 * throws the core's message.
 */
export async function prepareDevcontainer(file: string, log: vscode.LogOutputChannel): Promise<DevcontainerUse | undefined> {
  const plan = planDevcontainer(readDevcontainerConfig(file));
  let skipFeatures = false;
  if (plan.features.length) {
    const goOn = 'Create Without Them';
    const answer = await vscode.window.showWarningMessage(
      `${file} asks for dev container features (${plan.features.join(', ')}).`,
      { modal: true, detail: 'Features are fetched from registries, which this create does not do. Create without them, or build them into the image.' },
      goOn,
    );
    if (answer !== goOn) return undefined;
    skipFeatures = true;
  }
  const runInitialize = await askInitialize(plan, log);
  return runInitialize === undefined ? undefined : { plan, skipFeatures, runInitialize };
}

/**
 * initializeCommand runs on this machine, not in the box, with the user's rights: never in an
 * untrusted window, and otherwise only after a modal that shows the command. Undefined: cancel.
 */
async function askInitialize(plan: DevcontainerPlan, log: vscode.LogOutputChannel): Promise<boolean | undefined> {
  if (plan.initializeCommand === undefined) return false;
  const shown = lifecycleArgv(plan.initializeCommand)
    .map((argv) => argv.join(' '))
    .join('\n');
  if (!vscode.workspace.isTrusted) {
    log.warn(`${plan.file}: initializeCommand not run: this window's folder is not trusted (${shown}).`);
    return false;
  }
  const run = 'Run on This Machine';
  const skip = 'Create Without It';
  const answer = await vscode.window.showWarningMessage(
    `${plan.file} wants to run a command on this machine (initializeCommand), outside the workspace's isolation:`,
    { modal: true, detail: `${shown}\n\nIt runs in ${plan.file.replace(/[\\/]\.devcontainer.*$/, '')} as you, with your files and network.` },
    run,
    skip,
  );
  if (answer === undefined) return undefined;
  return answer === run;
}

/** Runs initializeCommand in the folder, output to the log; a failure stops the create before anything is made. */
async function runInitialize(plan: DevcontainerPlan, folder: string, log: vscode.LogOutputChannel): Promise<void> {
  for (const argv of lifecycleArgv(plan.initializeCommand ?? [])) {
    log.info(`initializeCommand (on this machine, in ${folder}): ${argv.join(' ')}`);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(argv[0] as string, argv.slice(1), { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = new PrefixedLineWriter('initializeCommand| ', (line) => log.info(line));
      child.stdout.pipe(lines, { end: false });
      child.stderr.pipe(lines, { end: false });
      child.on('error', (err) => {
        log.error(`initializeCommand: ${err.message}`);
        resolve(127);
      });
      child.on('close', (exitCode) => {
        lines.flush();
        resolve(exitCode);
      });
    });
    if (code !== 0)
      throw new InputError(
        'devcontainer',
        `initializeCommand of ${plan.file} failed (exit ${code ?? 'by a signal'}) on this machine; nothing was created (its output is in the log).`,
      );
  }
}

/** The request the plan makes (its image built first), build output to the log. */
export async function devcontainerCreateRequest(
  use: DevcontainerUse,
  scope: EngineScope,
  request: CreateWorkspaceRequest,
  log: vscode.LogOutputChannel,
): Promise<CreateWorkspaceRequest> {
  if (use.runInitialize) await runInitialize(use.plan, request.folder, log);
  return devcontainerRequest(await scope.engine.connection(), request, use.plan, {
    ports: scope.service.portPolicy,
    skipFeatures: use.skipFeatures,
    onBuildOutput: (line) => log.info(`${request.name}: build| ${line}`),
  });
}

/**
 * After the create: the summary (taken, not taken) in the log, then onCreate/postCreate/
 * postStart commands in the box with their output in the workspace's output channel. A failing
 * one keeps the workspace and says which, with the way to its output.
 */
export async function finishDevcontainerCreate(
  use: DevcontainerUse,
  scope: EngineScope,
  workspace: Workspace,
  output: LifecycleOutput,
  log: vscode.LogOutputChannel,
): Promise<void> {
  devcontainerSummary(use.plan, workspace.folder).forEach((note) => log.info(`${workspace.name}: ${note}`));
  const failed = await runLifecycleCommands(
    (command, streams) => scope.service.exec(workspace.name, command, streams),
    use.plan,
    (line) => void output.appendLines(workspace, [line]),
  );
  if (!failed) return;
  const show = 'Show Output';
  const picked = await vscode.window.showWarningMessage(
    `Workspace ${workspace.name} was created, but its ${failed.name} failed (exit ${failed.code}). The workspace is kept: fix the command in ${use.plan.file} and run it in a terminal.`,
    show,
  );
  if (picked === show) await output.appendLines(workspace, []);
}
