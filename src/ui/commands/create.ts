import * as vscode from 'vscode';
import { IsolationLevel } from '../../isolation/levels';
import { defaultResources } from '../../isolation/resources';
import { engineRuntimes } from '../../isolation/runtime';
import { EngineFacts, WizardValues } from '../wizard/createFields';
import { runCreateWizard, WizardResult } from '../wizard/createWizard';
import { devcontainerCreateRequest, DevcontainerUse, finishDevcontainerCreate, LifecycleOutput, prepareDevcontainer } from '../wizard/devcontainerCreate';
import { devcontainerConfigs } from '../../workspace/devcontainer/config';
import { InputError, MissingImageError } from '../../engine/errors';
import { defaultWorkspaceName, Workspace } from '../../workspace/model';
import { CreateStep, CreateWorkspaceRequest } from '../../workspace/request';
import { FolderSetting, FolderSettingsReporter, folderSettingMessage, ignoredSummary } from '../ignoredFolderSettings';
import { showFailure } from '../notify';
import { readHealthTimeoutMs, readWorkspacePolicy, aicliSettings } from '../settings';
import { defaultEngineName } from '../../engine/engines';
import { choosePlacement, PlacementCandidate, PlacementPolicy } from '../../engine/placement';
import { CommandContext } from './context';
import { resolveMissingImage } from './images';
import { CommandRun, registerCommand } from './kernel';
import { EngineScope } from '../../workspace/scope';

const lastChoicesKey = 'aicli.create.last';
const stepMessages: Record<CreateStep, string> = {
  validating: 'Checking folder, ports, limits and image…',
  gateway: 'Building the egress gateway image (once per engine)…',
  network: 'Creating the workspace network…',
  container: 'Creating the container…',
  copying: 'Copying the project to the remote engine…',
  starting: 'Starting…',
  health: "Waiting until the image's health check passes…",
  rollback: 'Something failed; removing what was created…',
};

interface LastChoices {
  image?: string;
  level?: IsolationLevel;
}

/** The engine's totals, runtimes and images for the wizard; what failed is said, not thrown. */
async function engineFacts(scope: EngineScope): Promise<EngineFacts> {
  try {
    const [info, images] = await Promise.all([(await scope.engine.connection()).info(), scope.images.list()]);
    return { cpus: info.NCPU, memoryBytes: info.MemTotal, runtimes: engineRuntimes(info), images };
  } catch (err) {
    return { runtimes: [], images: [], problem: `The engine did not answer (${err instanceof Error ? err.message : String(err)}); type an image reference.` };
  }
}

async function askRequest(
  context: CommandContext,
  given: Partial<CreateWorkspaceRequest>,
  scope: EngineScope,
  engineName: string | undefined,
): Promise<WizardResult | undefined> {
  const policy = readWorkspacePolicy();
  // A caller that names folder, name and image (a script, the tests) gets no questions, and the
  // settings' level rather than the wizard's last choice.
  if (given.folder !== undefined && given.name !== undefined && given.image !== undefined) {
    return { request: { ...given, folder: given.folder, name: given.name.trim(), image: given.image.trim(), level: given.level ?? policy.defaultLevel } };
  }
  const last = context.state.get<LastChoices>(lastChoicesKey, {});
  const folder = given.folder ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const resources = { ...policy.resources, ...given.resources };
  const givenFields = new Set(Object.keys(given).filter((key) => given[key as keyof CreateWorkspaceRequest] !== undefined) as (keyof WizardValues)[]);
  const devcontainer = folder && !given.image ? (devcontainerConfigs(folder)[0] ?? '') : '';
  return runCreateWizard({
    defaultImage: last.image ?? policy.defaultImage,
    initial: {
      folder,
      devcontainer,
      name: given.name ?? (folder ? defaultWorkspaceName(folder) : ''),
      image: given.image ?? (devcontainer ? '' : (last.image ?? policy.defaultImage)),
      level: given.level ?? last.level ?? policy.defaultLevel,
      runtime: given.runtime ?? policy.runtime ?? 'auto',
      egress: given.egress ?? policy.egress ?? 'auto',
      mount: given.mount ?? policy.projectMount ?? 'auto',
      cpus: String(resources.cpus ?? defaultResources.cpus),
      memory: String(resources.memory ?? defaultResources.memory),
      pids: String(resources.pidsLimit ?? defaultResources.pidsLimit),
      publish: given.publish ?? [],
      env: Object.entries(given.env ?? {}).map(([key, value]) => `${key}=${value}`),
    },
    given: givenFields,
    taken: new Set(context.scopes.workspaces().map((ws) => ws.name)),
    ports: policy.ports,
    facts: engineFacts(scope),
    engineName,
  });
}

/** What placement knows of each engine now: its info (when it answers) and running workspaces. */
async function placementCandidates(context: CommandContext): Promise<PlacementCandidate[]> {
  return Promise.all(
    context.scopes.all.map(async (scope): Promise<PlacementCandidate> => {
      const running = scope.index.workspaces.filter((workspace) => workspace.state === 'running').length;
      try {
        return { name: scope.name, info: await (await scope.engine.connection()).info(), running };
      } catch (err) {
        return { name: scope.name, error: err instanceof Error ? err.message : String(err), running };
      }
    }),
  );
}

/**
 * The engine for a new workspace: the one asked for, the only one, or — with several — a pick
 * whose first item applies aicli.placement (with the engine it would choose shown).
 */
async function chooseEngine(context: CommandContext, given: string | undefined): Promise<string | undefined> {
  if (given) return context.scopes.byName(given).name;
  if (context.scopes.all.length === 1) return defaultEngineName;
  const policy = aicliSettings('aicli').get<PlacementPolicy>('placement', 'default');
  const candidates = await placementCandidates(context);
  let placed: { name: string; reason: string } | undefined;
  let refusal = '';
  try {
    placed = choosePlacement(candidates, policy);
  } catch (err) {
    refusal = (err as Error).message;
  }
  const items = [
    ...(placed ? [{ label: `$(sparkle) By placement (${policy}): ${placed.name}`, description: placed.reason, name: placed.name }] : []),
    ...candidates.map((candidate) => ({
      label: `$(server-environment) ${candidate.name}`,
      description: candidate.info ? `${candidate.running} running · ${candidate.info.NCPU ?? '?'} CPUs` : 'not reachable',
      detail: candidate.info ? undefined : candidate.error,
      name: candidate.name,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Create Workspace: engine', placeHolder: refusal || 'Where the workspace runs' });
  return picked?.name;
}

/** A user-only key that VS Code applies from a folder all the same: nothing is created while it is there. */
function refuseAppliedFolderValues(settings: readonly FolderSetting[]): void {
  const applied = settings.filter((setting) => setting.applied);
  if (applied.length) throw new InputError('folderSettings', applied.map(folderSettingMessage).join(' '));
}

/** Creates with progress; a missing image offers Pull / Build / Choose and creates again with the result. */
async function createWithProgress(
  context: CommandContext,
  folderSettings: FolderSettingsReporter,
  request: CreateWorkspaceRequest,
  scope: EngineScope,
  devcontainer?: { use: DevcontainerUse; output: LifecycleOutput },
): Promise<Workspace | undefined> {
  try {
    const folderValues = await folderSettings.check();
    refuseAppliedFolderValues(folderValues);
    const workspace = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Creating workspace ${request.name}${context.scopes.all.length > 1 ? ` on ${scope.name}` : ''}`,
      },
      async (progress) => {
        const timeoutMs = readHealthTimeoutMs();
        if (devcontainer?.use.plan.build && !request.image) progress.report({ message: `Building the image of ${devcontainer.use.plan.file}…` });
        const asked = devcontainer ? await devcontainerCreateRequest(devcontainer.use, scope, request, context.log) : request;
        const result = await scope.service.create(
          asked,
          (step) => progress.report({ message: stepMessages[step] }),
          timeoutMs ? { waitUntilHealthy: { timeoutMs } } : {},
        );
        result.notes.forEach((note) => context.log.info(`${request.name}: ${note}`));
        for (const warning of result.warnings) void vscode.window.showWarningMessage(warning, { modal: false });
        const ignored = ignoredSummary(folderValues);
        if (ignored) {
          context.log.info(`${request.name}: ${ignored}`);
          void vscode.window.showWarningMessage(`Workspace ${request.name} created; ${ignored}`, 'Show Log').then((picked) => {
            if (picked) context.log.show(true);
          });
        }
        void scope.index.resync();
        return result.workspace;
      },
    );
    if (devcontainer) await finishDevcontainerCreate(devcontainer.use, scope, workspace, devcontainer.output, context.log);
    return workspace;
  } catch (err) {
    if (err instanceof MissingImageError) {
      const image = await resolveMissingImage(context, err, scope);
      return image ? createWithProgress(context, folderSettings, { ...request, image }, scope, devcontainer) : undefined;
    }
    void showFailure(err, { engine: scope.engine, log: context.log, doing: `Create workspace ${request.name}` });
    return undefined;
  }
}

export function registerCreateCommand(context: CommandContext, folderSettings: FolderSettingsReporter, lifecycleOutput: LifecycleOutput): vscode.Disposable {
  return registerCommand(
    context.log,
    'aicli.createWorkspace',
    'Create workspace',
    async (run: CommandRun, given?: Partial<CreateWorkspaceRequest> & { engine?: string }) => {
      const { engine: givenEngine, ...fields } = given && typeof given === 'object' && !('kind' in given) ? given : {};
      const engineName = await chooseEngine(context, givenEngine);
      if (!engineName) return undefined;
      const scope = run.on(context.scopes.byName(engineName));
      const asked = await askRequest(context, fields, scope, context.scopes.all.length > 1 ? engineName : undefined);
      if (!asked) return undefined;
      const { request } = asked;
      let use: DevcontainerUse | undefined;
      try {
        use = asked.devcontainer ? await prepareDevcontainer(asked.devcontainer, context.log) : undefined;
      } catch (err) {
        void showFailure(err, { engine: scope.engine, log: context.log, doing: `Create workspace ${request.name}` });
        return undefined;
      }
      if (asked.devcontainer && !use) return undefined;
      await context.state.update(lastChoicesKey, { image: request.image ?? context.state.get<LastChoices>(lastChoicesKey, {}).image, level: request.level });
      return createWithProgress(context, folderSettings, request, scope, use && { use, output: lifecycleOutput });
    },
  );
}
