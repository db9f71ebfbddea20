import { lstatSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import type { MountSettings } from '../engine/types';
import { InputError } from '../engine/errors';
import { remappedMountRefusal } from './userns';

/** aicli.workspace.protectedPaths: files the host runs or applies without asking. */
export const defaultProtectedPaths: readonly string[] = ['.git/config', '.git/hooks', '.git/modules', '.vscode', '.devcontainer', '.envrc'];

/** Where the project folder is in the box. */
export const projectTarget = '/workspace';

const setting = 'aicli.workspace.protectedPaths';

function refuse(entry: string, why: string): never {
  throw new InputError('protectedPaths', `${setting}: "${entry}" ${why}`);
}

function normalizeEntry(entry: unknown): string {
  if (typeof entry !== 'string') refuse(String(entry), 'is not a path; each entry is a path relative to the project folder, e.g. ".vscode".');
  const given = entry.trim();
  if (posix.isAbsolute(given) || win32.isAbsolute(given)) refuse(entry, 'is absolute; give a path relative to the project folder, e.g. ".vscode".');
  const parts = given.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) refuse(entry, 'leaves the project folder (".."); give a path inside it.');
  if (parts.length === 0) refuse(entry, 'names the project folder itself; give a path inside it.');
  if (given.includes('\0')) refuse(entry, 'contains a NUL character.');
  return parts.join('/');
}

const within = (path: string, ancestor: string): boolean => path === ancestor || path.startsWith(`${ancestor}/`);

/**
 * Checks and normalizes the setting's entries (refusing the first bad one by name).
 * Anything under `.git/` stands for the whole `.git`: git also reads `commondir` (which moves
 * where its config is read from), `config.worktree`, `info/` and hooks from there, and a box
 * that may create any of them, or rename `.git` and make a new one, defeats a protected
 * `.git/config`. Entries inside another entry are dropped.
 */
export function normalizeProtectedPaths(entries: readonly unknown[]): string[] {
  const paths = entries.map(normalizeEntry).map((path) => (path.startsWith('.git/') ? '.git' : path));
  const unique = [...new Set(paths)];
  return unique.filter((path) => !unique.some((other) => other !== path && within(path, other)));
}

type PathKind = 'missing' | 'present';

/** lstat of every component: a link anywhere would point the mount somewhere else. */
function kindOf(folder: string, path: string): PathKind {
  const parts = path.split('/');
  for (let index = 1; index <= parts.length; index++) {
    const partial = parts.slice(0, index).join('/');
    let stats;
    try {
      stats = lstatSync(join(folder, partial));
    } catch {
      return 'missing';
    }
    if (stats.isSymbolicLink()) {
      refuse(
        path,
        `is a symbolic link (${partial}): a link cannot be mounted read-only in place, so the workspace could replace it. Replace the link by what it points to, or remove the entry from the setting.`,
      );
    }
    if (index < parts.length && !stats.isDirectory()) return 'missing';
  }
  return 'present';
}

export interface ProjectProtection {
  /** Read-only binds of each present path over itself, below the project mount. */
  mounts: MountSettings[];
  /** Relative paths the mounts protect. */
  mounted: string[];
  /** Relative paths that do not exist: a mount would have to create them in the folder. */
  missing: string[];
  notes: string[];
}

/**
 * The mounts that keep protected paths of a bind-mounted folder out of the box's reach.
 * A present path is bound read-only over itself: its mount point already exists, so nothing
 * is created in the folder, and a mount point can be neither written, renamed nor removed
 * from the box (EROFS / EBUSY; no level has CAP_SYS_ADMIN to unmount it). A missing path
 * cannot be protected this way; the monitor watches for it instead.
 */
export function protectedMounts(folder: string, entries: readonly unknown[]): ProjectProtection {
  const paths = normalizeProtectedPaths(entries);
  const mounted: string[] = [];
  const missing: string[] = [];
  for (const path of paths) (kindOf(folder, path) === 'present' ? mounted : missing).push(path);
  const mounts = mounted.map((path): MountSettings => ({
    Type: 'bind',
    Source: join(folder, path),
    Target: posix.join(projectTarget, path),
    ReadOnly: true,
    BindOptions: { Propagation: 'rprivate' },
  }));
  const notes: string[] = [];
  if (mounted.includes('.git')) {
    notes.push('.git is read-only in the workspace (it holds protected git files): run git commands that write (commit, checkout, fetch) on the host.');
  }
  if (missing.length) {
    notes.push(
      `Not in the folder, so not mounted read-only (the mount would create them): ${missing.join(', ')}. If one appears while the workspace runs, the monitor raises a critical alert.`,
    );
  }
  return { mounts, mounted, missing, notes };
}

/**
 * How the box sees the project folder:
 * - `review`: a copy-on-write view (an overlay whose lower layer is the folder, its upper layer
 *   in a managed volume): the box changes its view only, the folder is written when the user
 *   applies a change;
 * - `copy`: a managed volume the folder is copied into at create (what remote engines get);
 * - `bind`: the folder itself, read-write, with the protected paths bound read-only.
 */
export type ProjectMountMode = 'review' | 'copy' | 'bind';
export const projectMountModes: readonly ProjectMountMode[] = ['review', 'copy', 'bind'];

/** `auto` (or nothing) is review on a local engine and copy on a remote one, which cannot see the folder. */
/** `shifted`: the engine remaps user namespaces (userns.ts), so only a copy can be written by the box. */
export function projectMountFor(requested: string | undefined, remote: boolean, shifted = false, host = ''): ProjectMountMode {
  const given = (requested ?? 'auto').trim() || 'auto';
  if (given === 'auto') return remote || shifted ? 'copy' : 'review';
  if (!(projectMountModes as readonly string[]).includes(given)) {
    throw new InputError('projectMount', `The project mount "${given}" is not one of auto, review, copy, bind (aicli.workspace.projectMount, or --mount).`);
  }
  if (remote && given !== 'copy') {
    throw new InputError('projectMount', `A remote engine cannot see this machine's folders, so "${given}" cannot work there; use copy (or auto).`);
  }
  if (shifted && given !== 'copy') throw remappedMountRefusal(given, host);
  return given as ProjectMountMode;
}

/**
 * The folder as an overlay lower layer. The kernel splits the mount options at "," and the
 * layer list at ":", so a folder with either in its path cannot be a lower layer.
 */
export function overlayLowerDir(folder: string): string {
  if (/[,:\n\\]/.test(folder)) {
    throw new InputError(
      'projectMount',
      `The folder ${folder} has a ",", ":", "\\" or line break in its path, which an overlay cannot take: rename the folder, or use the mount mode copy or bind.`,
    );
  }
  return folder;
}
