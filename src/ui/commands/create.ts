import * as vscode from 'vscode';
import { isolationLevels, IsolationLevel } from '../../isolation/levels';
import { InputError, MissingImageError } from '../../engine/errors';
import { checkWorkspaceName, defaultWorkspaceName, Workspace } from '../../workspace/model';
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

async function pickFolder(): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const browse = { label: '$(folder-opened) Choose Folder…', folder: undefined as string | undefined };
  const items = [...folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, folder: folder.uri.fsPath as string | undefined })), browse];
  const picked = folders.length
    ? await vscode.window.showQuickPick(items, {
        title: 'Create Workspace (1/4): project folder',
        placeHolder: 'Seen at /workspace (by default as its own view: your folder changes only when you apply)',
      })
    : browse;
  if (!picked) return undefined;
  if (picked.folder) return picked.folder;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as Workspace Folder' });
  return chosen?.[0]?.fsPath;
}

async function askRequest(context: CommandContext, given: Partial<CreateWorkspaceRequest>): Promise<CreateWorkspaceRequest | undefined> {
  const last = context.state.get<LastChoices>(lastChoicesKey, {});
  const policy = readWorkspacePolicy();
  const folder = given.folder ?? (await pickFolder());
  if (!folder) return undefined;
  const taken = new Set(context.scopes.workspaces().map((ws) => ws.name));
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Create Workspace (2/4): name',
      value: defaultWorkspaceName(folder),
      validateInput: (value) => {
        try {
          checkWorkspaceName(value);
        } catch (err) {
          return (err as Error).message;
        }
        return taken.has(value.trim()) ? `A workspace named "${value.trim()}" already exists.` : undefined;
      },
    }));
  if (!name) return undefined;
  const image =
    given.image ??
    (await vscode.window.showInputBox({
      title: 'Create Workspace (3/4): image',
      value: last.image ?? policy.defaultImage,
      prompt: 'An image on the engine, e.g. aicli/base:latest',
    }));
  if (!image) return undefined;
  const defaultLevel = last.level ?? policy.defaultLevel;
  // A caller that names folder, name and image but no level (a script, the tests) gets the
  // level of the settings, not a question, and not the wizard's last choice.
  const scripted = given.folder !== undefined && given.name !== undefined && given.image !== undefined;
  const level =
    given.level ??
    (scripted ? policy.defaultLevel : undefined) ??
    (
      await vscode.window.showQuickPick(
        [defaultLevel, ...isolationLevels.filter((l) => l !== defaultLevel)].map((label) => ({
          label,
          description: label === defaultLevel ? 'last used / default' : undefined,
        })),
        { title: 'Create Workspace (4/4): isolation level' },
      )
    )?.label;
  if (!level) return undefined;
  return { folder, name: name.trim(), image: image.trim(), level, publish: given.publish, resources: given.resources };
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
): Promise<Workspace | undefined> {
  try {
    const folderValues = await folderSettings.check();
    refuseAppliedFolderValues(folderValues);
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Creating workspace ${request.name}${context.scopes.all.length > 1 ? ` on ${scope.name}` : ''}`,
      },
      async (progress) => {
        const timeoutMs = readHealthTimeoutMs();
        const result = await scope.service.create(
          request,
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
  } catch (err) {
    if (err instanceof MissingImageError) {
      const image = await resolveMissingImage(context, err, scope);
      return image ? createWithProgress(context, folderSettings, { ...request, image }, scope) : undefined;
    }
    void showFailure(err, { engine: scope.engine, log: context.log, doing: `Create workspace ${request.name}` });
    return undefined;
  }
}

export function registerCreateCommand(context: CommandContext, folderSettings: FolderSettingsReporter): vscode.Disposable {
  return registerCommand(
    context.log,
    'aicli.createWorkspace',
    'Create workspace',
    async (run: CommandRun, given?: Partial<CreateWorkspaceRequest> & { engine?: string }) => {
      const { engine: givenEngine, ...fields } = given && typeof given === 'object' && !('kind' in given) ? given : {};
      const request = await askRequest(context, fields);
      if (!request) return undefined;
      const engineName = await chooseEngine(context, givenEngine);
      if (!engineName) return undefined;
      await context.state.update(lastChoicesKey, { image: request.image, level: request.level });
      return createWithProgress(context, folderSettings, request, run.on(context.scopes.byName(engineName)));
    },
  );
}
