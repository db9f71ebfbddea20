// The block device a local engine keeps its data on, found from the host's side (the product
// finds it from the engine's side, src/isolation/ioDevice.ts): the tests compare the two.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EngineConnection } from '../../src/engine/connection';

/** /dev/NAME of DockerRootDir's filesystem: /sys/dev/block/MAJ:MIN, or the disk a partition belongs to. */
export async function engineDataDevice(connection: EngineConnection): Promise<string> {
  const info = (await connection.docker.info()) as { DockerRootDir: string };
  const dev = statSync(info.DockerRootDir).dev;
  const [major, minor] = [Math.floor(dev / 256) & 0xfff, (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00) >>> 0)];
  const sys = realpathSync(`/sys/dev/block/${major}:${minor}`);
  const isPartition = (() => {
    try {
      return readFileSync(join(sys, 'partition'), 'utf8').trim() !== '';
    } catch {
      return false;
    }
  })();
  return `/dev/${basename(isPartition ? dirname(sys) : sys)}`;
}
