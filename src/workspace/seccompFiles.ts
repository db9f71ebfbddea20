import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stateDirectory } from '../audit/location';

/** Where the profiles are written: the state folder the CLI and the extension share. */
export const seccompDirectory = (): string => join(stateDirectory(process.env, homedir()), 'seccomp');

/**
 * Podman reads `seccomp=` as a path on its own host where dockerd takes the profile itself, so
 * each inline profile becomes a file named by its content (written once, never changed: a box
 * made with it keeps reading the same rules). Only for an engine on this machine (podman.ts).
 */
export function seccompProfilesAsFiles(options: string[] | undefined, directory = seccompDirectory()): string[] | undefined {
  return options?.map((option) => {
    if (!option.startsWith('seccomp={')) return option;
    const profile = option.slice('seccomp='.length);
    const file = join(directory, `${createHash('sha256').update(profile).digest('hex').slice(0, 16)}.json`);
    if (!existsSync(file)) {
      mkdirSync(directory, { recursive: true });
      // Written aside and renamed: a second create at the same moment never reads half a profile.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, profile, { mode: 0o644 });
      renameSync(partial, file);
    }
    return `seccomp=${file}`;
  });
}
