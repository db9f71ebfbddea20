import { EngineConnection } from '../engine/connection';
import { listContainers } from '../engine/containers';
import * as engineImages from '../engine/images';
import { InputError } from '../engine/errors';
import { labels } from './model';
import { reviewerLabels } from './review/names';

export interface LocalImage {
  id: string;
  /** "name:tag" references; empty for a dangling image. */
  tags: string[];
  sizeBytes: number;
  createdAt: Date;
  /** Built by us (aicli.managed=true). */
  managed: boolean;
  /** The egress gateway's image: ours, not one to run a workspace on. */
  gateway: boolean;
  /** Names of the managed workspaces (and egress gateways) whose container runs this image. */
  usedBy: string[];
}

/** The engine's images, most recently created first, each with the workspaces that use it. */
export async function listImages(connection: EngineConnection): Promise<LocalImage[]> {
  const [images, containers] = await Promise.all([
    engineImages.listImages(connection, { kind: 'any' }),
    // Workspaces and their gateways (aicli.managed=gateway): an image either uses is in use.
    listContainers(connection, { kind: 'managed' }, 'list workspaces'),
  ]);
  const usedBy = new Map<string, string[]>();
  for (const container of containers) {
    // A reviewer (review mode) runs the gateway's image beside its gateway: it adds no user of its own.
    if (container.Labels?.[labels.managed] === reviewerLabels.role) continue;
    const name = container.Labels?.[labels.name] ?? container.Names?.[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12);
    usedBy.set(container.ImageID, [...(usedBy.get(container.ImageID) ?? []), name]);
  }
  return images
    .map((image) => ({
      id: image.Id,
      tags: (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
      sizeBytes: image.Size,
      createdAt: new Date(image.Created * 1000),
      managed: image.Labels?.[labels.managed] === 'true',
      gateway: image.Labels?.[labels.gatewayImage] !== undefined,
      usedBy: (usedBy.get(image.Id) ?? []).sort(),
    }))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** "sha256:0123…" → "0123456789ab", as `docker images` shows image ids. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** The label a person reads: the first tag, or the short id of a dangling image. */
export function imageLabel(image: Pick<LocalImage, 'id' | 'tags'>): string {
  return image.tags[0] ?? `<none> ${shortImageId(image.id)}`;
}

/**
 * Removes one image (by id or reference). Refuses while a workspace uses it, so removing an
 * image never breaks a workspace; the engine keeps layers other images share.
 */
export async function removeImage(connection: EngineConnection, reference: string): Promise<void> {
  const images = await listImages(connection);
  const image = images.find((candidate) => candidate.id === reference || candidate.tags.includes(reference));
  if (!image) throw new InputError('image', `No image ${reference} on the engine at ${connection.host}; refresh the Images view.`);
  if (image.usedBy.length) {
    throw new InputError(
      'image',
      `${imageLabel(image)} is used by ${image.usedBy.join(', ')}: remove ${image.usedBy.length === 1 ? 'that workspace' : 'those workspaces'} first.`,
    );
  }
  // Tag by tag, never with force: force would also delete an image that a stopped container
  // outside AICLI still uses. The last tag takes the image with it; a dangling one goes by id.
  const references = image.tags.length ? image.tags : [image.id];
  for (const ref of references) await engineImages.removeImage(connection, ref);
}
