import { lstatSync, readdirSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { EngineConnection } from '../engine/connection';
import { EngineError, InputError, toEngineError } from '../engine/errors';
import { buildImageStream, inspectImage } from '../engine/images';
import { JsonLineParser } from '../engine/jsonLines';
import { LineSplitter } from '../engine/outputLines';
import { allCredentials, dockerConfigPath, isUnauthorized } from '../engine/registryAuth';
import { labels as workspaceLabels } from './model';

export interface BuildImageRequest {
  /** The context folder; its .dockerignore is honoured. */
  context: string;
  /** Relative to the context; default "Dockerfile". */
  dockerfile?: string;
  /** e.g. "my-project:latest". */
  tag: string;
  /** Extra labels; aicli.managed=true is always added. */
  labels?: Record<string, string>;
  /** ARG values (--build-arg), and the stage to stop at (--target). */
  buildargs?: Record<string, string>;
  target?: string;
  signal?: AbortSignal;
}

export interface BuildImageResult {
  imageId: string;
  tag: string;
}

/** A build that failed; names the Dockerfile step that failed when the engine said which. */
export class BuildError extends EngineError {
  constructor(
    message: string,
    /** "Step 2/4 : RUN make" — the last step the engine started; undefined before the first. */
    readonly step: string | undefined,
    hint = 'Fix that step in the Dockerfile (the build output has the details), then build again.',
  ) {
    super('engine', message, hint, [{ id: 'showLog', label: 'Show Log' }]);
    this.name = 'BuildError';
  }
}

interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}

/**
 * Every file under the context, relative and with "/" separators. dockerode filters this list
 * through the context's .dockerignore (@balena/dockerignore, relative paths) before packing;
 * listing files rather than folders keeps that filter the only one applied.
 */
function contextFiles(context: string): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(relative(context, full).split(sep).join(posix.sep));
    }
  };
  walk(context);
  return files;
}

/** A FROM the registry would not give without a login: say so, instead of "fix that step". */
function loginHint(failure: string): string | undefined {
  if (!isUnauthorized(failure)) return undefined;
  const registry = /https?:\/\/([^/"\s]+)\//.exec(failure)?.[1] ?? '<registry>';
  return `The registry ${registry} wants a login that ${dockerConfigPath()} does not hold: run \`docker login ${registry}\`, then build again.`;
}

/** X-Registry-Config as dockerode types it (user and password per registry); an identity token rides along as the engine reads it. */
function registryConfigOf(all: Awaited<ReturnType<typeof allCredentials>>): Parameters<typeof buildImageStream>[3]['registryconfig'] {
  const entries = Object.entries(all).map(([registry, auth]) => [registry, { ...auth, username: auth.username ?? '', password: auth.password ?? '' }]);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** Builds an image labelled aicli.managed=true; every output line goes to onOutput as it arrives. */
export async function buildImage(
  connection: EngineConnection,
  request: BuildImageRequest,
  onOutput: (line: string) => void = () => {},
): Promise<BuildImageResult> {
  const context = resolve(request.context);
  const dockerfile = request.dockerfile ?? 'Dockerfile';
  try {
    if (!lstatSync(context).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new InputError('context', `Build context ${context} is not a folder.`);
  }
  try {
    lstatSync(join(context, dockerfile));
  } catch {
    throw new InputError('dockerfile', `No ${dockerfile} in ${context}; choose the folder that holds the Dockerfile, or name the Dockerfile.`);
  }
  if (!request.tag.trim()) throw new InputError('tag', 'The image needs a tag, e.g. my-project:latest.');

  const registryconfig = registryConfigOf(await allCredentials());
  let stream: Readable;
  try {
    stream = await buildImageStream(connection, context, contextFiles(context), {
      t: request.tag,
      dockerfile,
      labels: { ...request.labels, [workspaceLabels.managed]: 'true' },
      // Intermediate containers go even when a step fails: nothing unlabelled is left behind.
      rm: true,
      forcerm: true,
      abortSignal: request.signal,
      // A FROM on a private registry is pulled by the engine with these (X-Registry-Config).
      registryconfig,
      ...(request.buildargs && Object.keys(request.buildargs).length ? { buildargs: request.buildargs } : {}),
      ...(request.target ? { target: request.target } : {}),
    });
  } catch (err) {
    throw toEngineError(err, connection.host);
  }

  return new Promise<BuildImageResult>((resolvePromise, reject) => {
    const parser = new JsonLineParser<BuildMessage>();
    let step: string | undefined;
    let imageId: string | undefined;
    let failure: string | undefined;
    const pending = new LineSplitter();
    const emit = (text: string): void => {
      for (const line of pending.push(text)) {
        const stepMatch = /^Step \d+\/\d+ : .*/.exec(line);
        if (stepMatch) step = stepMatch[0];
        onOutput(line);
      }
    };
    stream.on('data', (chunk: Buffer) => {
      for (const message of parser.push(chunk)) {
        if (message.stream) emit(message.stream);
        else if (message.status) emit(`${message.status}\n`);
        if (message.aux?.ID) imageId = message.aux.ID;
        if (message.error) failure = message.errorDetail?.message ?? message.error;
      }
    });
    stream.once('error', (err: Error) => reject(toEngineError(err, connection.host)));
    stream.once('end', () => {
      const rest = pending.rest();
      if (rest) onOutput(rest);
      if (failure !== undefined) {
        onOutput(`ERROR: ${failure}`);
        const message = step ? `Building ${request.tag} failed at ${step}: ${failure}` : `Building ${request.tag} failed: ${failure}`;
        reject(new BuildError(message, step, loginHint(failure)));
        return;
      }
      // The classic builder reports the image in a "Successfully built <id>" line; aux carries it too.
      inspectImage(connection, request.tag).then((info) => resolvePromise({ imageId: imageId ?? info.Id, tag: request.tag }), reject);
    });
  });
}
