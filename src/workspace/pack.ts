import { Readable } from 'node:stream';

interface TarFs {
  pack(folder: string): Readable;
}
// tar-fs comes with dockerode (it packs build contexts); it has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tarFs = require('tar-fs') as TarFs;

/** The folder as a tar stream (read only), for putArchive into a remote workspace's volume. */
export function packFolder(folder: string): Readable {
  return tarFs.pack(folder);
}

/** One entry of a generated archive: a directory, or a file with its content. */
export interface TarEntry {
  name: string;
  type?: 'file' | 'directory';
  mode?: number;
  uid?: number;
  gid?: number;
}

interface TarPack extends Readable {
  entry(header: TarEntry, content?: string): void;
  finalize(): void;
}
interface TarStream {
  pack(): TarPack;
}
// tar-stream comes with tar-fs (above); no type declarations either.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tarStream = require('tar-stream') as TarStream;

/** Small generated files as a tar stream, for putArchive into a created container. */
export function packFiles(files: Record<string, string>): Readable {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return pack;
}

/** Directories and files with their owners and modes, for putArchive (e.g. the review volume's layout). */
export function packEntries(entries: { header: TarEntry; content?: string }[]): Readable {
  const pack = tarStream.pack();
  for (const { header, content } of entries) pack.entry(header, content);
  pack.finalize();
  return pack;
}
