// A throwaway engine with user-namespace remapping (--userns-remap=default). dockerd makes the
// user `dockremap` and its /etc/subuid and /etc/subgid ranges the first time: the files it
// changes are put back as they were afterwards. Its data root is under /tmp: the remapped root
// must be able to walk the path to it (root's home is 0700).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBaseImageOn, discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from './throwawayEngine';

const accountFiles = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/subuid', '/etc/subgid'];

export interface UsernsEngine {
  engine: ThrowawayEngine;
  dispose(): Promise<void>;
}

export async function startUsernsEngine(name: string): Promise<UsernsEngine> {
  const saved = new Map(accountFiles.map((file) => [file, existsSync(file) ? readFileSync(file) : undefined]));
  const scratch = mkdtempSync(join(tmpdir(), 'aicli-userns-'));
  chmodSync(scratch, 0o711); // mkdtemp's 0700 would keep the remapped root out
  let engine: ThrowawayEngine | undefined;
  const dispose = async (): Promise<void> => {
    await discardThrowawayEngine(engine).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    for (const [file, content] of saved) {
      if (content === undefined) rmSync(file, { force: true });
      else writeFileSync(file, content);
    }
  };
  try {
    engine = await startThrowawayEngine(name, { extraArgs: ['--userns-remap=default', '--data-root', join(scratch, 'data')] });
    await buildBaseImageOn(engine.host);
    return { engine, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
