import { EngineConnection } from '../engine/connection';
import { putArchive } from '../engine/containers';
import { createVolume } from '../engine/volumes';
import { ProjectMountMode, projectMountFor, ProjectProtection, protectedMounts } from '../isolation/projectMount';
import { packFolder } from './pack';
import { createReviewView, MadeParts } from './review/view';
import { viewVolumeFor } from './review/names';

export const projectVolumeFor = (id: string): string => `aicli-workspace-${id}`;

export interface ProjectMountPlan {
  mode: ProjectMountMode;
  /** review: the overlay view; copy: the volume the folder is copied into; bind: none. */
  volume?: string;
  /** bind only: the read-only binds of the protected paths. */
  protection?: ProjectProtection;
  notes: string[];
}

/** How the box will see the folder, decided before anything is created. */
export function planProjectMount(
  folder: string,
  id: string,
  requested: string | undefined,
  remote: boolean,
  protectedPaths: string[],
  host: string,
  shifted = false,
): ProjectMountPlan {
  const mode = projectMountFor(requested, remote, shifted, host);
  if (mode === 'bind') {
    const protection = protectedMounts(folder, protectedPaths);
    return { mode, protection, notes: [...protection.notes] };
  }
  if (mode === 'copy') {
    const volume = projectVolumeFor(id);
    const where = remote ? `The engine at ${host} is remote: ` : '';
    return {
      mode,
      volume,
      notes: [`${where}${folder} is copied into the volume ${volume} at create; changes made in the workspace stay there until copied back (see the README).`],
    };
  }
  return {
    mode,
    volume: viewVolumeFor(id),
    notes: [`The workspace works on its own view of ${folder}: the folder is not written until you apply a change (Changes view, or aicli-ws apply).`],
  };
}

export interface ProjectMountRequest {
  id: string;
  folder: string;
  labels: Record<string, string>;
  policyLabels: Record<string, string>;
  plan: ProjectMountPlan;
}

/** The engine side of the plan, before the box is created (its volume must exist first). */
export async function createProjectMount(connection: EngineConnection, request: ProjectMountRequest, made: MadeParts): Promise<void> {
  if (request.plan.mode === 'copy' && request.plan.volume) {
    await createVolume(connection, request.plan.volume, request.labels);
    made.volumes.push(request.plan.volume);
  }
  if (request.plan.mode === 'review') await createReviewView(connection, request, made);
}

/** After the box is created: a copy fills its volume through it (no helper; the folder is only read). */
export async function fillProjectMount(connection: EngineConnection, request: ProjectMountRequest, boxId: string, onCopy: () => void): Promise<void> {
  if (request.plan.mode !== 'copy') return;
  onCopy();
  await putArchive(connection, boxId, packFolder(request.folder), '/workspace');
}
