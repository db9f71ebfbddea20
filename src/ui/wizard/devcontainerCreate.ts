import * as vscode from 'vscode';
import { readDevcontainerConfig } from '../../workspace/devcontainer/config';
import { devcontainerRequest, devcontainerSummary, runLifecycleCommands } from '../../workspace/devcontainer/create';
import { DevcontainerPlan, planDevcontainer } from '../../workspace/devcontainer/plan';
import { Workspace } from '../../workspace/model';
import { CreateWorkspaceRequest } from '../../workspace/request';
import { EngineScope } from '../../workspace/scope';

/** A folder's devcontainer.json as a create uses it. */
export interface DevcontainerUse {
  plan: DevcontainerPlan;
  skipFeatures: boolean;
}

/** Where lifecycle command output goes: the workspace's own output channel. */
export interface LifecycleOutput {
  appendLines(workspace: Workspace, lines: string[]): Promise<void>;
}

/**
 * The plan of a devcontainer.json; features (not fetched offline) need a yes in a modal that
 * names them. Undefined: the user said no. A bad file throws the core's message.
 */
export async function prepareDevcontainer(file: string): Promise<DevcontainerUse | undefined> {
  const plan = planDevcontainer(readDevcontainerConfig(file));
  if (!plan.features.length) return { plan, skipFeatures: false };
  const goOn = 'Create Without Them';
  const answer = await vscode.window.showWarningMessage(
    `${file} asks for dev container features (${plan.features.join(', ')}).`,
    { modal: true, detail: 'Features are fetched from registries, which this create does not do. Create without them, or build them into the image.' },
    goOn,
  );
  return answer === goOn ? { plan, skipFeatures: true } : undefined;
}

/** The request the plan makes (its image built first), build output to the log. */
export async function devcontainerCreateRequest(
  use: DevcontainerUse,
  scope: EngineScope,
  request: CreateWorkspaceRequest,
  log: vscode.LogOutputChannel,
): Promise<CreateWorkspaceRequest> {
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
