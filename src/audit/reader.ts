import { readFileSync } from 'node:fs';
import { InputError } from '../engine/errors';
import { AuditRecord, AuditType, auditTypeNames } from './record';
import { auditFiles } from './segments';

export interface AuditFilter {
  /** A workspace's name or id. */
  workspace?: string;
  /** An engine scope's name ('default' for the default engine). */
  engine?: string;
  /** Records at or after this time (ms). */
  sinceMs?: number;
  /** Records before this time (ms). */
  untilMs?: number;
  /** Types, or groups of them: 'exec' is exec.start and exec.end, 'alert' both alert types. */
  types?: string[];
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: an age (30s, 30m, 1h, 2d, 1w) before now, or an ISO date or time. */
export function parseSince(value: string, nowMs = Date.now()): number {
  const age = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(value.trim());
  if (age) return nowMs - Number(age[1]) * units[age[2]!]!;
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw new InputError('since', `--since takes an age like 30m, 1h or 2d, or an ISO time like 2025-01-31T12:00, got "${value}".`);
  return at;
}

/** Checks --type values against the table: a type, or the group before its dot. */
export function checkAuditTypes(types: readonly string[]): string[] {
  const groups = new Set(auditTypeNames.map((type) => type.split('.')[0]!));
  for (const type of types) {
    if (!(auditTypeNames as string[]).includes(type) && !groups.has(type)) {
      throw new InputError('type', `Unknown audit record type "${type}"; the types are ${auditTypeNames.join(', ')} (or a group: ${[...groups].join(', ')}).`);
    }
  }
  return [...types];
}

const typeMatches = (types: readonly string[], type: AuditType): boolean => types.some((wanted) => type === wanted || type.startsWith(`${wanted}.`));

function matches(record: AuditRecord, filter: AuditFilter, atMs: number): boolean {
  if (filter.sinceMs !== undefined && atMs < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && atMs >= filter.untilMs) return false;
  if (filter.types?.length && !typeMatches(filter.types, record.type)) return false;
  if (filter.engine !== undefined && (record.engine ?? 'default') !== filter.engine) return false;
  const workspace = record.workspace;
  return filter.workspace === undefined || (workspace !== undefined && (workspace.name === filter.workspace || workspace.id === filter.workspace));
}

/** A record is written just after it is stamped: a file rotated this long before `since` holds nothing newer. */
const rotationSlackMs = 60_000;

/**
 * The trail's records that pass the filter, oldest first, across the rotated files. A line
 * that is not a record (cut short by a crash or a full disk) is skipped.
 */
export function readAuditTrail(directory: string, filter: AuditFilter = {}): AuditRecord[] {
  const found: { record: AuditRecord; atMs: number }[] = [];
  for (const file of auditFiles(directory)) {
    if (filter.sinceMs !== undefined && file.rotatedAtMs !== undefined && file.rotatedAtMs < filter.sinceMs - rotationSlackMs) continue;
    let content: string;
    try {
      content = readFileSync(file.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted by a rotation meanwhile
      throw err;
    }
    for (const line of content.split('\n')) {
      const record = parseRecord(line);
      if (!record) continue;
      const atMs = Date.parse(record.at);
      if (matches(record, filter, atMs)) found.push({ record, atMs });
    }
  }
  // Stable: records of one millisecond keep the order they were written in.
  return found.sort((a, b) => a.atMs - b.atMs).map((entry) => entry.record);
}

function parseLine(line: string): AuditRecord | undefined {
  try {
    const value = JSON.parse(line) as AuditRecord;
    return typeof value.at === 'string' && typeof value.type === 'string' && !Number.isNaN(Date.parse(value.at)) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A line, or the record after a cut one: a write that ran out of disk may leave part of a
 * line without its newline, and the next record is then appended to it. Every record starts
 * with its time (the trail writes `at` first), which is where the whole one begins.
 */
function parseRecord(line: string): AuditRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  const start = line.lastIndexOf('{"at":');
  return parseLine(line) ?? (start > 0 ? parseLine(line.slice(start)) : undefined);
}
