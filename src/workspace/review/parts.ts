import { EngineConnection } from '../../engine/connection';
import { removeContainer } from '../../engine/containers';
import { EngineError, toEngineError } from '../../engine/errors';
import { removeVolume } from '../../engine/volumes';
import { projectVolumeFor } from '../mountPlan';
import { reviewerNameFor, reviewVolumeFor, viewVolumeFor } from './names';

/**
 * What holds a workspace's view of the folder besides the box: the reviewer, the overlay view
 * (before the review volume it points into) and the copy volume. A workspace has the parts of
 * its mount mode only; the others are simply not there.
 */
export function storageParts(workspaceId: string): { kind: 'container' | 'volume'; name: string }[] {
  return [
    { kind: 'container', name: reviewerNameFor(workspaceId) },
    { kind: 'volume', name: viewVolumeFor(workspaceId) },
    { kind: 'volume', name: reviewVolumeFor(workspaceId) },
    { kind: 'volume', name: projectVolumeFor(workspaceId) },
  ];
}

/**
 * Removes them (after the box, which holds the view). A part that is not there is no failure;
 * the returned list says what was removed and what failed, for cleanup's report.
 */
export async function removeStorageParts(
  connection: EngineConnection,
  workspaceId: string,
): Promise<{ removed: string[]; failed: { item: string; message: string }[] }> {
  const removed: string[] = [];
  const failed: { item: string; message: string }[] = [];
  for (const part of storageParts(workspaceId)) {
    const item = `${part.kind} ${part.name}`;
    try {
      if (part.kind === 'container') await removeContainer(connection, part.name, { force: true, v: true }, `remove ${item}`);
      else await removeVolume(connection, part.name, `remove ${item}`);
      removed.push(item);
    } catch (err) {
      const mapped = err instanceof EngineError ? err : toEngineError(err, connection.host);
      if (mapped.kind !== 'notFound') failed.push({ item, message: mapped.message });
    }
  }
  return { removed, failed };
}
