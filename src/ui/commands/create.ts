import * as vscode from 'vscode';
import { isolationLevels, IsolationLevel } from '../../isolation/levels';
import { MissingImageError } from '../../isolation/inputError';
import { checkWorkspaceName, defaultWorkspaceName, Workspace } from '../../workspace/model';
import { CreateStep, CreateWorkspaceRequest } from '../../workspace/request';
import { showFailure } from '../notify';
import { readHealthTimeoutMs, readWorkspacePolicy } from '../settings';
import { CommandContext } from './context';
import { resolveMissingImage } from './images';

const lastChoicesKey = 'aicli.create.last';
const stepMessages: Record<CreateStep, string> = {
  validating: 'Checking folder, ports, limits and image…',
  network: 'Creating the workspace network…',
  container: 'Creating the container…',
  copying: 'Copying the project to the remote engine…',
  starting: 'Starting…',
  health: 'Waiting until the image\'s health check passes…',
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
  const picked = folders.length ? await vscode.window.showQuickPick(items, { title: 'Create Workspace (1/4): project folder', placeHolder: 'Mounted at /workspace; never modified by AICLI' }) : browse;
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
  const taken = new Set(context.index.workspaces.map((ws) => ws.name));
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
    (await vscode.window.showInputBox({ title: 'Create Workspace (3/4): image', value: last.image ?? policy.defaultImage, prompt: 'An image on the engine, e.g. aicli/base:latest' }));
  if (!image) return undefined;
  const defaultLevel = last.level ?? policy.defaultLevel;
  const level =
    given.level ??
    (
      await vscode.window.showQuickPick(
        [defaultLevel, ...isolationLevels.filter((l) => l !== defaultLevel)].map((label) => ({ label, description: label === defaultLevel ? 'last used / default' : undefined })),
        { title: 'Create Workspace (4/4): isolation level' },
      )
    )?.label;
  if (!level) return undefined;
  return { folder, name: name.trim(), image: image.trim(), level, publish: given.publish, resources: given.resources };
}

/** Creates with progress; a missing image offers Pull / Build / Choose and creates again with the result. */
async function createWithProgress(context: CommandContext, request: CreateWorkspaceRequest): Promise<Workspace | undefined> {
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Creating workspace ${request.name}` }, async (progress) => {
      const timeoutMs = readHealthTimeoutMs();
      const result = await context.service.create(request, (step) => progress.report({ message: stepMessages[step] }), timeoutMs ? { waitUntilHealthy: { timeoutMs } } : {});
      result.notes.forEach((note) => context.log.info(`${request.name}: ${note}`));
      for (const warning of result.warnings) void vscode.window.showWarningMessage(warning, { modal: false });
      void context.index.resync();
      return result.workspace;
    });
  } catch (err) {
    if (err instanceof MissingImageError) {
      const image = await resolveMissingImage(context, err);
      return image ? createWithProgress(context, { ...request, image }) : undefined;
    }
    void showFailure(err, { engine: context.engine, log: context.log, doing: `Create workspace ${request.name}` });
    return undefined;
  }
}

export function registerCreateCommand(context: CommandContext): vscode.Disposable {
  return vscode.commands.registerCommand('aicli.createWorkspace', async (given?: Partial<CreateWorkspaceRequest>) => {
    const request = await askRequest(context, given && typeof given === 'object' && !('kind' in given) ? given : {});
    if (!request) return undefined;
    await context.state.update(lastChoicesKey, { image: request.image, level: request.level });
    return createWithProgress(context, request);
  });
}
