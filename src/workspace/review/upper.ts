import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** One entry of the overlay's upper layer: what the box wrote, or a whiteout for what it deleted. */
export type UpperEntry =
  | { path: string; type: 'file'; mode: number; size: number; sha256: string; head: Buffer; content?: Buffer }
  | { path: string; type: 'symlink'; mode: number; target: string }
  | { path: string; type: 'dir'; mode: number; mtimeMs: number }
  | { path: string; type: 'whiteout' };

/** File contents kept in memory for diffs; larger files are compared by hash and fetched when shown. */
export const keptContentBytes = 1024 * 1024;
const headBytes = 8000;

interface TarHeader {
  name: string;
  type: string;
  mode: number;
  size: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  mtime?: Date;
}
interface TarExtract extends NodeJS.WritableStream {
  on(event: 'entry', listener: (header: TarHeader, stream: Readable, next: () => void) => void): this;
  on(event: 'finish' | 'error', listener: (err?: Error) => void): this;
}
// tar-stream (a dependency of ours, and of dockerode through tar-fs) has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tarStream = require('tar-stream') as { extract(): TarExtract };

function entryOf(path: string, header: TarHeader, data: Buffer, sha256: string, size: number): UpperEntry | undefined {
  const mode = header.mode & 0o7777;
  if (header.type === 'directory') return { path, type: 'dir', mode, mtimeMs: header.mtime?.getTime() ?? 0 };
  if (header.type === 'symlink') return { path, type: 'symlink', mode, target: header.linkname ?? '' };
  // overlayfs marks a deletion with a character device 0:0 (a "whiteout").
  if (header.type === 'character-device' && !header.devmajor && !header.devminor) return { path, type: 'whiteout' };
  if (header.type === 'file' || header.type === 'contiguous-file') {
    return { path, type: 'file', mode, size, sha256, head: data.subarray(0, headBytes), content: size <= keptContentBytes ? data : undefined };
  }
  return undefined;
}

/**
 * Reads a tar stream of the review volume and returns `prefix`'s entries (relative paths),
 * plus the files outside it by name (the review state). Hashes every file as it streams by,
 * keeping only small ones whole.
 */
export function readUpper(tar: Readable, prefix: string): Promise<{ entries: UpperEntry[]; others: Map<string, Buffer> }> {
  return new Promise((resolve, reject) => {
    const entries: UpperEntry[] = [];
    const others = new Map<string, Buffer>();
    const byPath = new Map<string, UpperEntry>();
    const relative = (name: string): string | undefined => {
      const clean = name.replace(/^\.?\//, '').replace(/\/$/, '');
      return prefix === '' ? clean : clean.startsWith(`${prefix}/`) ? clean.slice(prefix.length + 1) : undefined;
    };
    const linkedEntry = (path: string, target: string | undefined): UpperEntry | undefined => {
      const linked = target === undefined ? undefined : byPath.get(target);
      return linked ? { ...linked, path } : undefined;
    };
    const extract = tarStream.extract();
    extract.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.?\//, '').replace(/\/$/, '');
      const hash = createHash('sha256');
      const kept: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        if (size < keptContentBytes + 1) kept.push(chunk);
        size += chunk.length;
      });
      stream.on('end', () => {
        const data = Buffer.concat(kept);
        const inside = relative(name);
        if (inside !== undefined && inside !== '') {
          // A hard link is the entry it links to: overlayfs writes the first whiteout of a
          // directory and links the later ones to it; the box may link its own files too.
          const entry = header.type === 'link' ? linkedEntry(inside, relative(header.linkname ?? '')) : entryOf(inside, header, data, hash.digest('hex'), size);
          if (entry) {
            entries.push(entry);
            byPath.set(entry.path, entry);
          }
        } else if (name !== prefix && header.type === 'file') {
          others.set(name, data);
        }
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', () => resolve({ entries, others }));
    extract.on('error', reject);
    tar.on('error', reject);
    tar.pipe(extract);
  });
}
