// Temporary folders for tests: plain ones, project folders (a README in them), and folders owned
// by uid 1000, the ordinary user of a real machine: tests of the project folder need an owner
// that is not root, since the box runs as the folder's owner.
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ordinary user of a real machine: owns the project, runs git on the host. */
export const folderUser = { uid: 1000, gid: 1000 };

export interface FolderOptions {
  /** Writes README.md with this text. */
  readme?: string;
  /**
   * 'user': chowned to uid 1000 (the test must run as root); 'user-if-root': chowned only when
   * running as root, else left to the runner, who is not root either.
   */
  owner?: 'user' | 'user-if-root';
}

/** A fresh folder under the temp dir (mkdtemp makes it 0700: only its owner gets in). */
export function makeFolder(prefix: string, options: FolderOptions = {}): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const ownedByUser = options.owner === 'user' || (options.owner === 'user-if-root' && process.getuid?.() === 0);
  if (ownedByUser) chownSync(folder, folderUser.uid, folderUser.gid);
  if (options.readme !== undefined) {
    writeFileSync(join(folder, 'README.md'), options.readme);
    // Its files are the owner's too, as on a real machine.
    if (ownedByUser) chownSync(join(folder, 'README.md'), folderUser.uid, folderUser.gid);
  }
  return folder;
}

/** A fresh project folder with a README in it; removed by the caller. */
export function makeProjectFolder(prefix = 'aicli-proj-', readme = '# test project\n'): string {
  return makeFolder(prefix, { readme });
}

export function removeFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}
