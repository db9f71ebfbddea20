import { createReadStream, lstatSync, readdirSync, readlinkSync, Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** What the folder has at a relative path, read without following any link. */
export type HostEntry =
  | { type: 'file'; mode: number; size: number; changedAt: number }
  | { type: 'symlink'; mode: number; target: string; changedAt: number }
  | { type: 'dir'; mode: number; changedAt: number }
  | { type: 'other'; mode: number; changedAt: number };

/** The later of mtime and ctime: ctime moves on every write, whatever a tool does to mtime. */
const changedAt = (stats: Stats): number => Math.max(stats.mtimeMs, stats.ctimeMs);

/**
 * lstat of every component: a link or a file on the way means the folder has nothing at this
 * path (and nothing may be read or written through it).
 */
export function hostEntry(folder: string, path: string): HostEntry | undefined {
  const parts = path.split('/');
  let stats: Stats | undefined;
  for (let index = 1; index <= parts.length; index++) {
    try {
      stats = lstatSync(join(folder, ...parts.slice(0, index)));
    } catch {
      return undefined;
    }
    if (index < parts.length && !stats.isDirectory()) return undefined;
  }
  if (!stats) return undefined;
  const mode = stats.mode & 0o7777;
  const full = join(folder, path);
  if (stats.isFile()) return { type: 'file', mode, size: stats.size, changedAt: changedAt(stats) };
  if (stats.isSymbolicLink()) return { type: 'symlink', mode, target: readlinkSync(full), changedAt: changedAt(stats) };
  if (stats.isDirectory()) return { type: 'dir', mode, changedAt: changedAt(stats) };
  return { type: 'other', mode, changedAt: changedAt(stats) };
}

export function hostFileHash(folder: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(join(folder, path), { flags: 'r' })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** The names directly in a folder directory ([] when it is not one). */
export function hostChildren(folder: string, path: string): string[] {
  try {
    return readdirSync(join(folder, path));
  } catch {
    return [];
  }
}

/** Every non-directory path below a folder directory, relative to the folder; links are not followed. */
export function hostFilesBelow(folder: string, path: string, limit = 100_000): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(folder, relative), { withFileTypes: true })) {
      if (found.length >= limit) return;
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else found.push(child);
    }
  };
  try {
    walk(path);
  } catch {
    // A directory that went away while listed has nothing more to say.
  }
  return found;
}
