// A throwaway engine whose storage is btrfs (a loop file of our own): its storage driver sizes a
// container's layer (StorageOpt.size, by btrfs quota groups), which overlay2 on this machine's
// ext4 cannot, and xfs project quotas are not in this kernel. Root only; btrfs-progs installed
// by the bootstrap.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBaseImageOn, discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from './throwawayEngine';

export interface BtrfsEngine {
  engine: ThrowawayEngine;
  dispose(): Promise<void>;
}

const run = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export async function startBtrfsEngine(name: string, sizeBytes = 4 * 2 ** 30): Promise<BtrfsEngine> {
  const scratch = mkdtempSync(join(tmpdir(), 'aicli-btrfs-'));
  const image = join(scratch, 'disk.img');
  const mount = join(scratch, 'mnt');
  mkdirSync(mount);
  run('truncate', ['-s', String(sizeBytes), image]);
  run('mkfs.btrfs', ['-q', image]);
  run('mount', ['-o', 'loop', image, mount]);
  let engine: ThrowawayEngine | undefined;
  const dispose = async (): Promise<void> => {
    await discardThrowawayEngine(engine).catch(() => undefined);
    // dockerd may leave its data root bind-mounted after a failed start: unmount everything under the mount, then it.
    for (const target of [join(mount, 'docker'), mount]) {
      try {
        run('umount', ['-R', target]);
      } catch {
        // not mounted
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    engine = await startThrowawayEngine(name, { extraArgs: ['--data-root', join(mount, 'docker'), '--storage-driver', 'btrfs'] });
    await buildBaseImageOn(engine.host);
    return { engine, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
