import { statSync } from 'node:fs';
import { IsolationLevel } from './levels';

export interface WorkspaceUser {
  /** uid:gid for the engine, or undefined for the image's own user. */
  user?: string;
  notes: string[];
}

/**
 * Who the box runs as. Every level runs as the folder's owner (uid:gid, numeric so any image
 * works): files the box makes belong to the user on the host, and the box needs no
 * DAC_OVERRIDE to edit them. Only a root-owned folder keeps the level's own user, since
 * running as its owner would mean running as root at every level.
 */
export function workspaceUserFor(folder: string, level: IsolationLevel, levelUser: string | undefined): WorkspaceUser {
  const { uid, gid } = statSync(folder);
  if (uid !== 0) return { user: `${uid}:${gid}`, notes: [] };
  if (!levelUser) return { user: undefined, notes: [] };
  return { user: levelUser, notes: [`${folder} is owned by root; the ${level} workspace runs as ${levelUser} and may not be able to write it.`] };
}
