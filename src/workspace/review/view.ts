import { statSync } from 'node:fs';
import { EngineConnection } from '../../engine/connection';
import { createContainer, putArchive } from '../../engine/containers';
import { createVolume, inspectVolume } from '../../engine/volumes';
import { overlayLowerDir } from '../../isolation/projectMount';
import { gatewayImage } from '../gatewayImage';
import { labels as workspaceLabels } from '../model';
import { packEntries } from '../pack';
import { reviewerLabels, reviewerNameFor, reviewPaths, reviewVolumeFor, viewVolumeFor } from './names';
import { emptyReviewState } from './state';

export interface ReviewViewRequest {
  id: string;
  folder: string;
  /** The workspace's labels (the volumes carry them: cleanup and remove find them by id). */
  labels: Record<string, string>;
  /** The policy's own labels (test runs), on the reviewer too. */
  policyLabels: Record<string, string>;
}

/** What was made, in order, for the rollback of a failed create. */
export interface MadeParts {
  containers: string[];
  volumes: string[];
}

/**
 * Options every helper container of review mode shares: our own image (busybox, nothing the
 * box could have changed), no network, no capabilities, a read-only root, small limits.
 */
export function helperHostConfig(mounts: { Type: 'volume' | 'bind'; Source: string; Target: string; ReadOnly: boolean }[], capAdd: string[] = []) {
  return {
    NetworkMode: 'none',
    Mounts: mounts,
    CapDrop: ['ALL'],
    CapAdd: capAdd,
    SecurityOpt: ['no-new-privileges'],
    ReadonlyRootfs: true,
    Memory: 128 * 2 ** 20,
    PidsLimit: 64,
  };
}

/**
 * The box's copy-on-write view of the folder: a review volume with `upper/` (owned like the
 * folder, so the view's root looks like it), `work/` and the review state, written through a
 * reviewer container that is never started; then an overlay volume over the folder that the
 * engine mounts when the box starts. The folder is only read (it is the lower layer).
 */
export async function createReviewView(connection: EngineConnection, request: ReviewViewRequest, made: MadeParts): Promise<string> {
  const lower = overlayLowerDir(request.folder);
  const review = reviewVolumeFor(request.id);
  await createVolume(connection, review, request.labels);
  made.volumes.push(review);
  const reviewer = await createContainer(connection, {
    name: reviewerNameFor(request.id),
    Image: gatewayImage,
    Entrypoint: ['/bin/busybox', 'true'],
    Labels: { ...request.policyLabels, [workspaceLabels.managed]: reviewerLabels.role, [reviewerLabels.of]: request.id },
    NetworkDisabled: true,
    HostConfig: helperHostConfig([{ Type: 'volume', Source: review, Target: reviewPaths.volume, ReadOnly: false }]),
  });
  made.containers.push(reviewer);
  const { uid, gid, mode } = statSync(request.folder);
  const layout = packEntries([
    { header: { name: 'upper', type: 'directory', uid, gid, mode: mode & 0o7777 } },
    { header: { name: 'work', type: 'directory', uid: 0, gid: 0, mode: 0o700 } },
    { header: { name: 'state.json', type: 'file', uid: 0, gid: 0, mode: 0o600 }, content: JSON.stringify(emptyReviewState(Date.now())) },
  ]);
  await putArchive(connection, reviewer, layout, reviewPaths.volume, 'write the review volume');
  const { Mountpoint } = await inspectVolume(connection, review);
  const view = viewVolumeFor(request.id);
  // No redirect_dir, metacopy or index: every change is a whole file (or a whiteout) in upper/,
  // which is what the review reads; these features would leave it pointers into the folder.
  const options = `lowerdir=${lower},upperdir=${Mountpoint}/upper,workdir=${Mountpoint}/work,redirect_dir=off,metacopy=off,index=off,xino=off`;
  await createVolume(connection, view, request.labels, `create the review view of ${request.id}`, { type: 'overlay', device: 'overlay', o: options });
  made.volumes.push(view);
  return view;
}
