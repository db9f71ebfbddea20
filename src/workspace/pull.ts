import { Readable } from 'node:stream';
import { EngineConnection } from '../engine/connection';
import { CancelledError, EngineError, InputError, toEngineError } from '../engine/errors';
import { inspectImage, pullImageStream } from '../engine/images';
import { JsonLineParser } from '../engine/jsonLines';
import { credentialsFor, dockerConfigPath, isUnauthorized, RegistryCredentials, registryOf } from '../engine/registryAuth';
import { PullMessage, PullProgress, PullProgressTracker } from './pullProgress';

export interface PullResult {
  /** The reference as pulled, with its tag ("name:latest" when none was given). */
  reference: string;
  imageId: string;
}

/** A pull the user cancelled: the engine drops the partial layers, no image is tagged. */
export class PullCancelledError extends CancelledError {
  constructor(readonly reference: string) {
    super(`Pulling ${reference} was cancelled.`);
    this.name = 'PullCancelledError';
  }
}

// name[:tag][@digest], with an optional registry host[:port] in front; lower-case repository path.
const referencePattern =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** "busybox" → "busybox:latest"; a tag or digest stays. Pulling without a tag would pull every tag. */
export function normalizeReference(reference: string): string {
  const trimmed = reference.trim();
  if (!trimmed) throw new InputError('image', 'No image given: type a reference such as busybox:latest or registry.example:5000/team/tool:1.2.');
  if (!referencePattern.test(trimmed)) {
    throw new InputError(
      'image',
      `"${trimmed}" is not an image reference: use [registry[:port]/]name[:tag], lower-case, e.g. registry.example:5000/team/tool:1.2.`,
    );
  }
  const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return lastSegment.includes(':') || trimmed.includes('@') ? trimmed : `${trimmed}:latest`;
}

/** The registry said no: with the credentials we sent, or without any. Never the secret itself. */
function unauthorizedError(reference: string, text: string, auth: RegistryCredentials | undefined, err: unknown): EngineError {
  const registry = registryOf(reference);
  const sent = auth
    ? `the credentials for ${registry} in ${dockerConfigPath()} (user ${auth.username ?? 'with a token'}) were not accepted`
    : `no credentials for ${registry} were found in ${dockerConfigPath()}`;
  // dockerode puts "(HTTP code 500) server error - " before the engine's own words.
  const said = text.replace(/^\(HTTP code \d+\)[^-]*-\s*/, '').trim();
  return new EngineError(
    'engine',
    `The registry ${registry} refused to give ${reference} (${said}); ${sent}.`,
    `Run \`docker login ${registry}\` and try again.`,
    [{ id: 'showLog', label: 'Show Log' }],
    err,
  );
}

function pullError(reference: string, err: unknown, host: string, auth?: RegistryCredentials): Error {
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  const text = e.json?.message ?? e.message ?? String(err);
  if (isUnauthorized(text)) return unauthorizedError(reference, text, auth, err);
  if (e.statusCode === 404 || /manifest unknown|not found|does not exist/i.test(text)) {
    return new EngineError(
      'notFound',
      `Image ${reference} was not found: ${text}.`,
      'Check the name and tag; for a private registry, log in first (`docker login <registry>`).',
      [{ id: 'showLog', label: 'Show Log' }],
      err,
    );
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp|server gave HTTP response to HTTPS/i.test(text)) {
    return new EngineError(
      'engine',
      `The engine at ${host} could not reach the registry for ${reference}: ${text}.`,
      "Check the registry address and port, the network and any proxy; a plain-HTTP registry other than localhost must be listed in the engine's insecure-registries.",
      [{ id: 'showLog', label: 'Show Log' }],
      err,
    );
  }
  // Trouble talking to the engine itself (socket, TLS, HTTP status) reads the same as anywhere else.
  if (e.code !== undefined || e.statusCode !== undefined || err instanceof EngineError) return toEngineError(err, host);
  return new EngineError(
    'engine',
    `Pulling ${reference} failed: ${text}.`,
    "See the AICLI Workspaces log for the engine's output.",
    [{ id: 'showLog', label: 'Show Log' }],
    err,
  );
}

/**
 * Pulls an image, reporting per-layer progress as the engine streams it. The signal cancels:
 * the request is closed, the engine abandons the pull and tags nothing.
 */
export async function pullImage(
  connection: EngineConnection,
  reference: string,
  onProgress: (progress: PullProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<PullResult> {
  const normalized = normalizeReference(reference);
  if (signal?.aborted) throw new PullCancelledError(normalized);
  const auth = await credentialsFor(normalized);
  let stream: Readable;
  try {
    stream = await pullImageStream(connection, normalized, signal, auth);
  } catch (err) {
    if (signal?.aborted) throw new PullCancelledError(normalized);
    throw pullError(normalized, err, connection.host, auth);
  }
  await new Promise<void>((resolve, reject) => {
    const parser = new JsonLineParser<PullMessage>();
    const tracker = new PullProgressTracker();
    let failure: string | undefined;
    const onAbort = (): void => {
      stream.destroy();
      reject(new PullCancelledError(normalized));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      let changed = false;
      for (const message of parser.push(chunk)) {
        if (message.error) failure = message.errorDetail?.message ?? message.error;
        else changed = tracker.apply(message) || changed;
      }
      if (changed) onProgress(tracker.snapshot());
    });
    stream.once('error', (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? new PullCancelledError(normalized) : pullError(normalized, err, connection.host, auth));
    });
    stream.once('end', () => {
      signal?.removeEventListener('abort', onAbort);
      if (failure !== undefined) reject(pullError(normalized, new Error(failure), connection.host, auth));
      else resolve();
    });
  });
  const info = await inspectImage(connection, normalized);
  return { reference: normalized, imageId: info.Id };
}
