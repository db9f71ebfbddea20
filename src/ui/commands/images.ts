import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { defaultEngineName } from '../../engine/engines';
import { MissingImageError } from '../../engine/errors';
import { imageLabel, LocalImage } from '../../workspace/images';
import { normalizeReference, PullCancelledError } from '../../workspace/pull';
import { EngineScope } from '../../workspace/scope';
import { describePullProgress } from '../../workspace/pullProgress';
import { showFailure } from '../notify';
import { CommandContext } from './context';
import { CommandRun, registerCommand } from './kernel';

/** The Images view and its commands show the default engine's images. */
const imagesScope = (context: CommandContext): EngineScope => context.scopes.byName(defaultEngineName);

/** Progress notifications are redrawn at most this often, however fast the engine streams. */
const progressIntervalMs = 200;

/**
 * Pulls with a cancellable progress notification: the overall percentage as the bar, the
 * layers done, the bytes and the layer being worked on as the message. Returns the pulled
 * reference, or undefined when it failed (the user was told) or was cancelled.
 */
export async function pullWithProgress(context: CommandContext, reference: string, scope: EngineScope): Promise<string | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Pulling ${reference}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      let lastAt = 0;
      try {
        const result = await scope.images.pull(
          reference,
          (state) => {
            const now = Date.now();
            const percent = Math.floor(state.fraction * 100);
            if (now - lastAt < progressIntervalMs && percent < 100) return;
            lastAt = now;
            progress.report({ increment: Math.max(0, percent - reported), message: `${percent}% · ${describePullProgress(state)}` });
            reported = Math.max(reported, percent);
          },
          abort.signal,
        );
        context.log.info(`pulled ${result.reference} (${result.imageId})`);
        void vscode.window.showInformationMessage(`Pulled ${result.reference}.`);
        return result.reference;
      } catch (err) {
        if (err instanceof PullCancelledError) {
          context.log.info(err.message);
          void vscode.window.showInformationMessage(`${err.message} Nothing was kept.`);
          return undefined;
        }
        await showFailure(err, { engine: scope.engine, log: context.log, doing: `Pull ${reference}` });
        return undefined;
      }
    },
  );
}

async function askReference(value = ''): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Pull Image',
    value,
    placeHolder: 'busybox:latest or registry.example:5000/team/tool:1.2',
    prompt: 'Pulled by the engine; a name without a tag pulls :latest',
    validateInput: (text) => {
      try {
        normalizeReference(text);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  return typed?.trim() || undefined;
}

async function pickImage(scope: EngineScope, title: string, filter: (image: LocalImage) => boolean = () => true): Promise<LocalImage | undefined> {
  const images = (await scope.images.list()).filter(filter);
  const picked = await vscode.window.showQuickPick(
    images.map((image) => ({
      label: imageLabel(image),
      description: formatBytes(image.sizeBytes),
      detail: image.usedBy.length ? `used by ${image.usedBy.join(', ')}` : undefined,
      image,
    })),
    { title, placeHolder: images.length ? 'Local images on the engine' : 'No local images: pull or build one first' },
  );
  return picked?.image;
}

/**
 * A create failed because its image is not on the engine: offer to pull it, build it, or pick
 * another local image. Returns the image to create with, or undefined when the user gave up.
 */
export async function resolveMissingImage(context: CommandContext, error: MissingImageError, on: EngineScope): Promise<string | undefined> {
  const picked = await vscode.window.showErrorMessage(error.message, 'Pull', 'Build…', 'Choose Another…');
  // On the engine the create was for: an image pulled or built elsewhere would not help it.
  if (picked === 'Pull') return pullWithProgress(context, error.image, on);
  if (picked === 'Build…') return vscode.commands.executeCommand<string | undefined>('aicli.buildImage', { tag: error.image, engine: on.name });
  if (picked === 'Choose Another…') {
    try {
      const image = await pickImage(on, `Create with another image instead of ${error.image}`, (candidate) => candidate.tags.length > 0);
      return image?.tags[0];
    } catch (err) {
      await showFailure(err, { engine: on.engine, log: context.log, doing: 'List images' });
    }
  }
  return undefined;
}

export function registerImageCommands(context: CommandContext, refresh: () => void): vscode.Disposable[] {
  const { log } = context;
  return [
    registerCommand(log, 'aicli.pullImage', 'Pull image', async (run: CommandRun, given?: unknown) => {
      const reference = typeof given === 'string' ? given : await askReference();
      return reference ? pullWithProgress(context, reference, run.on(imagesScope(context))) : undefined;
    }),
    registerCommand(log, 'aicli.refreshImages', 'Refresh images', () => refresh()),
    registerCommand(log, 'aicli.createWorkspaceFromImage', 'List images', async (run: CommandRun, clicked?: LocalImage) => {
      const image = clicked ?? (await pickImage(run.on(imagesScope(context)), 'Create a workspace from image', (candidate) => candidate.tags.length > 0));
      if (image?.tags[0]) await vscode.commands.executeCommand('aicli.createWorkspace', { image: image.tags[0] });
    }),
    registerCommand(log, 'aicli.removeImage', 'Remove image', async (run: CommandRun, clicked?: LocalImage) => {
      const scope = run.on(imagesScope(context));
      const image = clicked ?? (await pickImage(scope, 'Remove image', (candidate) => candidate.usedBy.length === 0));
      if (!image) return;
      const confirmed = await vscode.window.showWarningMessage(
        `Remove image ${imageLabel(image)}?`,
        {
          modal: true,
          detail: `${formatBytes(image.sizeBytes)}; ${image.tags.length > 1 ? `its tags ${image.tags.join(', ')} all go` : 'layers shared with other images stay'}. Workspaces and folders are not affected.`,
        },
        'Remove',
      );
      if (confirmed !== 'Remove') return;
      await scope.images.remove(image.tags[0] ?? image.id);
      refresh();
    }),
  ];
}
