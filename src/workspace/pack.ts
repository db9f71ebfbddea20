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
