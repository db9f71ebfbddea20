import { lstatSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import type Docker from 'dockerode';
import { InputError } from './inputError';

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
  mounts: Docker.MountSettings[];
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
  const mounts = mounted.map((path): Docker.MountSettings => ({
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
