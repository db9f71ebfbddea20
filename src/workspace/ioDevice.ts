import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { stateDirectory } from '../audit/location';
import { EngineConnection } from '../engine/connection';
import type { HostConfig } from '../engine/types';
import { IoDevice, ioDeviceScript, parseIoDevice } from '../isolation/ioDevice';
import { IoCaps } from '../isolation/resources';
import { gatewayImage } from './gatewayImage';
import { labels } from './model';
import { runShortLived } from './shortLived';

/** Probes in flight or done, per engine, for this process. */
const probed = new Map<string, Promise<IoDevice>>();

/** Where the devices found are kept between processes (an `aicli-ws create` is one process). */
const cacheFile = (): string => join(stateDirectory(process.env, homedir()), 'engine-devices.json');

function readCache(): Record<string, IoDevice> {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, IoDevice>;
  } catch {
    return {};
  }
}

function writeCache(key: string, device: IoDevice): void {
  try {
    const file = cacheFile();
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify({ ...readCache(), [key]: device }), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // Only a cache: the next process probes again.
  }
}

/**
 * One short-lived container of our gateway image (busybox; on the engine before any box is
 * made) with no network and no capabilities, reading its own mountinfo and sysfs (ioDevice.ts).
 */
async function probe(connection: EngineConnection, policyLabels: Record<string, string>): Promise<IoDevice> {
  const { stdout } = await runShortLived(
    connection,
    {
      Image: gatewayImage,
      Entrypoint: ['/bin/busybox', 'sh', '-c', ioDeviceScript],
      Labels: { ...policyLabels, [labels.managed]: 'probe' },
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges=true'], Memory: 16 * 2 ** 20 },
    },
    'probe the data device',
  );
  return parseIoDevice(stdout);
}

/**
 * The block device of the engine's data: probed once per engine (by its id and data root) and
 * kept in the state folder. A probe that fails is not kept: the caps are said not enforced now.
 */
export function engineIoDevice(
  connection: EngineConnection,
  engine: { id: string; dataRoot: string },
  policyLabels: Record<string, string>,
): Promise<IoDevice> {
  const key = `${connection.host} ${engine.id} ${engine.dataRoot}`;
  const known = probed.get(key);
  if (known) return known;
  const cached = readCache()[key];
  const found = cached
    ? Promise.resolve(cached)
    : probe(connection, policyLabels).then(
        (device) => {
          writeCache(key, device);
          return device;
        },
        (err: Error): IoDevice => ({ unavailable: `the probe of the engine's data device failed (${err.message})` }),
      );
  probed.set(key, found);
  return found;
}

/** The caps as throttle rules on the engine's data device; where there is none, a note (pushed to `notes`) says so. */
export async function ioCapsFor(caps: IoCaps, device: Promise<IoDevice> | undefined, notes: string[]): Promise<Partial<HostConfig>> {
  const found = await device;
  if (!found) return {};
  if ('unavailable' in found) {
    notes.push(`I/O caps (aicli.resources.io*) are not enforced: ${found.unavailable}.`);
    return {};
  }
  return ioCapsHostConfig(caps, found.path);
}

/** The engine's throttle rules for the caps on the device; none for a cap of 0. */
export function ioCapsHostConfig(caps: IoCaps, device: string): Partial<HostConfig> {
  const rule = (rate: number): { Path: string; Rate: number }[] | undefined => (rate > 0 ? [{ Path: device, Rate: rate }] : undefined);
  return {
    BlkioDeviceReadBps: rule(caps.readBps),
    BlkioDeviceWriteBps: rule(caps.writeBps),
    BlkioDeviceReadIOps: rule(caps.readIops),
    BlkioDeviceWriteIOps: rule(caps.writeIops),
  };
}
