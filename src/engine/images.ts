import { Readable } from 'node:stream';
import { EngineConnection } from './connection';
import type { RegistryCredentials } from './registryAuth';
import { filtersParameter, labelFilter, ManagedKind } from './filters';
import type { ImageBuildOptions, ImageInfo, ImageInspectInfo } from './types';

/**
 * Images, by id or reference. Pull and build are streams of newline-delimited JSON progress,
 * opened on the untimed client (they last as long as the download or the build) and handed
 * back with their errors unmapped: a failed pull reads differently from a failed call.
 */

export interface ImageQuery {
  /** Default `workspace` (aicli.managed=true, what we built); `any` lists every image. */
  kind?: ManagedKind;
  labels?: Record<string, string>;
  /** Only untagged images no other image builds on. */
  dangling?: boolean;
}

export function listImages(connection: EngineConnection, query: ImageQuery = {}, what = 'list images'): Promise<ImageInfo[]> {
  const filters = filtersParameter({ label: labelFilter(query.kind, query.labels), dangling: query.dangling ? ['true'] : undefined });
  return connection.call(what, (docker) => docker.listImages(filters ? { filters } : {}));
}

export function inspectImage(connection: EngineConnection, ref: string, what = `inspect ${ref}`): Promise<ImageInspectInfo> {
  return connection.call(what, (docker) => docker.getImage(ref).inspect());
}

/** Whether the engine has the image; any other failure than "not there" is thrown. */
export async function imageExists(connection: EngineConnection, ref: string): Promise<boolean> {
  return connection
    .call(`inspect ${ref}`, (docker) => docker.getImage(ref).inspect(), { expected: ['notFound'] })
    .then(() => true)
    .catch((err: unknown) => {
      if ((err as { kind?: string }).kind === 'notFound') return false;
      throw err;
    });
}

/** Removes one reference (never forced): the last tag takes the image with it. Untimed: deleting layers takes the engine a while. */
export async function removeImage(connection: EngineConnection, ref: string, what = `remove image ${ref}`): Promise<void> {
  await connection.call(what, (docker) => docker.getImage(ref).remove(), { untimed: true });
}

/** Pull progress until the pull is done; the signal closes the request and the engine abandons it. `auth`: the registry's credentials (registryAuth.ts). */
export async function pullImageStream(connection: EngineConnection, reference: string, signal?: AbortSignal, auth?: RegistryCredentials): Promise<Readable> {
  return (await connection.untimed.pull(reference, { abortSignal: signal, ...(auth ? { authconfig: auth } : {}) })) as unknown as Readable;
}

/** Build output from the classic builder; `files` are the context's paths relative to `context`. */
export async function buildImageStream(connection: EngineConnection, context: string, files: string[], options: ImageBuildOptions): Promise<Readable> {
  return (await connection.untimed.buildImage({ context, src: files }, options)) as unknown as Readable;
}
