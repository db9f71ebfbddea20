import { formatBytes } from '../engine/bytes';
import { InputError } from '../engine/errors';

/** Resource limits in engine units, after validation. */
export interface ResourceLimits {
  cpus: number;
  memoryBytes: number;
  pidsLimit: number;
  blkioWeight: number;
  io: IoCaps;
  /** The box's own filesystem (its writable layer), bytes; 0: no limit. */
  diskBytes: number;
}

/** Bytes and operations per second on the engine's data device; 0 is no cap. */
export interface IoCaps {
  readBps: number;
  writeBps: number;
  readIops: number;
  writeIops: number;
}

export const defaultResources = {
  cpus: '1.0',
  memory: '512m',
  pidsLimit: 100,
  blkioWeight: 500,
  ioReadBps: '100m',
  ioWriteBps: '100m',
  ioReadIops: 1000,
  ioWriteIops: 1000,
  disk: '1g',
};

export const hasIoCaps = (caps: IoCaps): boolean => caps.readBps > 0 || caps.writeBps > 0 || caps.readIops > 0 || caps.writeIops > 0;

const units: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a docker-style size ("512m", "1g", "1048576"); refuses garbage, zero and negatives. */
export function parseSize(raw: string | number, field: string): number {
  const text = String(raw).trim().toLowerCase();
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|(b)?)$/.exec(text);
  const value = match ? Math.floor(Number(match[1]) * (units[match[2] ?? match[3] ?? ''] ?? 1)) : NaN;
  if (!match || !Number.isFinite(value) || value <= 0) {
    throw new InputError(field, `${field} "${raw}" is not a size: use a positive number with an optional unit, like 512m or 2g.`);
  }
  return value;
}

export function parseCpus(raw: string | number, field: string, hostCpus?: number): number {
  const text = String(raw).trim();
  const cpus = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(cpus) || cpus < 0.01) {
    throw new InputError(field, `${field} "${raw}" is not a CPU count: use a positive number such as 0.5 or 2.`);
  }
  if (hostCpus && cpus > hostCpus) {
    throw new InputError(field, `${field} ${cpus} is more than the engine has (${hostCpus} CPUs): use ${hostCpus} or less.`);
  }
  return cpus;
}

export function parsePositiveInteger(raw: string | number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError(field, `${field} "${raw}" must be a whole number from 1 to ${max}.`);
  }
  return value;
}

/** The engine refuses less memory than this (Docker's minimum for a container). */
export const minimumMemoryBytes = 6 * 1024 * 1024;

export interface ResourceInput {
  cpus?: string | number;
  memory?: string | number;
  pidsLimit?: string | number;
  blkioWeight?: string | number;
  ioReadBps?: string | number;
  ioWriteBps?: string | number;
  ioReadIops?: string | number;
  ioWriteIops?: string | number;
  disk?: string | number;
}

/** What each kind of optional amount is, as its error says. */
const optionalAmounts = {
  size: { parse: parseSize, example: 'a size like 1g, or 0 for no limit' },
  rate: { parse: parseSize, example: 'a size per second like 100m, or 0 for no cap' },
  ops: { parse: parsePositiveInteger, example: 'a whole number of operations per second, or 0 for no cap' },
};

/** 0 (none), or an amount of its kind: a size (disk), a size per second, operations per second. */
function parseOptionalAmount(raw: string | number, field: string, kind: keyof typeof optionalAmounts): number {
  if (String(raw).trim() === '0') return 0;
  try {
    return optionalAmounts[kind].parse(raw, field);
  } catch {
    throw new InputError(field, `${field} "${raw}" is not ${optionalAmounts[kind].example}.`);
  }
}

/** A memory limit: a size of at least the engine's minimum and, when known, at most what the engine has (like CPUs). */
export function parseMemory(raw: string | number, hostMemoryBytes?: number): number {
  const memoryBytes = parseSize(raw, 'memory');
  if (memoryBytes < minimumMemoryBytes) {
    throw new InputError('memory', `memory "${raw}" is below the engine's minimum of 6m; use 6m or more (512m is the default).`);
  }
  if (hostMemoryBytes && memoryBytes > hostMemoryBytes) {
    throw new InputError('memory', `memory "${raw}" is more than the engine has (${formatBytes(hostMemoryBytes)}): use less.`);
  }
  return memoryBytes;
}

export function parseResources(input: ResourceInput, hostCpus?: number, hostMemoryBytes?: number): ResourceLimits {
  const memoryBytes = parseMemory(input.memory ?? defaultResources.memory, hostMemoryBytes);
  const blkioWeight = parsePositiveInteger(input.blkioWeight ?? defaultResources.blkioWeight, 'blkioWeight', 1000);
  if (blkioWeight < 10) throw new InputError('blkioWeight', `blkioWeight ${blkioWeight} must be from 10 to 1000 (500 is the default).`);
  return {
    cpus: parseCpus(input.cpus ?? defaultResources.cpus, 'cpus', hostCpus),
    memoryBytes,
    pidsLimit: parsePositiveInteger(input.pidsLimit ?? defaultResources.pidsLimit, 'pidsLimit'),
    blkioWeight,
    io: {
      readBps: parseOptionalAmount(input.ioReadBps ?? defaultResources.ioReadBps, 'ioReadBps', 'rate'),
      writeBps: parseOptionalAmount(input.ioWriteBps ?? defaultResources.ioWriteBps, 'ioWriteBps', 'rate'),
      readIops: parseOptionalAmount(input.ioReadIops ?? defaultResources.ioReadIops, 'ioReadIops', 'ops'),
      writeIops: parseOptionalAmount(input.ioWriteIops ?? defaultResources.ioWriteIops, 'ioWriteIops', 'ops'),
    },
    diskBytes: parseOptionalAmount(input.disk ?? defaultResources.disk, 'disk', 'size'),
  };
}
