import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The trail is a folder of JSON-lines files: audit.jsonl, written now, and the rotated ones,
 * named by when they were rotated (audit-20250101T120000123Z-<pid>-<n>.jsonl), oldest first by name.
 *
 * Several processes append at once (VS Code windows, aicli-ws, MCP servers). What keeps their
 * lines whole: every record is one write(2) of the whole line to a file opened with O_APPEND,
 * opened and closed per record (so a rotation by another process is followed at once). POSIX
 * puts the offset at the end of the file with no other change in between; Linux's local file
 * systems (ext4, xfs, btrfs, tmpfs, overlayfs) hold the inode lock for the whole write, so two
 * writers' lines never mix. Not on NFS, whose O_APPEND is emulated by the client: keep the state
 * folder on a local disk (AICLI_STATE_DIR).
 *
 * A rotation renames audit.jsonl to a name no other rotation can take, so no rotation ever
 * replaces another's file: a line written by a process that still held the old file lands in
 * the rotated one, not nowhere. Two processes crossing the bound at the same moment may make one
 * small extra file; the count of files kept still bounds the folder.
 */
export interface AuditLimits {
  /** A file is rotated before a line would take it past this size. */
  maxFileBytes: number;
  /** Files kept, the current one included; older rotated ones are deleted. */
  keptFiles: number;
}

export const defaultAuditLimits: AuditLimits = {
  // 10 MB is some 40,000 records: days of heavy use per file; the CLI still reads one in well under a second.
  maxFileBytes: 10 * 1024 * 1024,
  // With the current file, at most about 50 MB on disk, whatever writes to the trail.
  keptFiles: 5,
};

export const currentFileName = 'audit.jsonl';
const rotatedName = /^audit-(\d{8}T\d{9}Z)-\d+-\d+\.jsonl$/;

export interface AuditFile {
  path: string;
  /** When it was rotated (its records are older); undefined for the current file. */
  rotatedAtMs?: number;
}

/** 20250101T120000123Z: sorts by name as by time. */
const compactTime = (ms: number): string => new Date(ms).toISOString().replace(/[-:.]/g, '');

function parseCompactTime(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`) : NaN;
}

/** The trail's files, oldest first, the current one last (when there is one). */
export function auditFiles(directory: string): AuditFile[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const rotated = names
    .map((name) => ({ name, match: rotatedName.exec(name) }))
    .filter((entry) => entry.match)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((entry) => ({ path: join(directory, entry.name), rotatedAtMs: parseCompactTime(entry.match![1]!) }));
  return names.includes(currentFileName) ? [...rotated, { path: join(directory, currentFileName) }] : rotated;
}

function openForAppend(directory: string, path: string): number {
  try {
    return openSync(path, 'a', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // Commands and alert messages are in it: only the user reads the trail.
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    return openSync(path, 'a', 0o600);
  }
}

let rotations = 0;

/** Renames the current file (if it is still the one `fd` holds) and deletes the oldest beyond the limit. */
function rotate(directory: string, path: string, fd: number, limits: AuditLimits, nowMs: number): void {
  const held = fstatSync(fd);
  let current;
  try {
    current = statSync(path);
  } catch {
    return; // rotated by another process a moment ago
  }
  if (current.ino !== held.ino || current.dev !== held.dev) return;
  try {
    renameSync(path, join(directory, `audit-${compactTime(nowMs)}-${process.pid}-${rotations++}.jsonl`));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another process rotated it in between
    throw err;
  }
  const rotated = auditFiles(directory).filter((file) => file.rotatedAtMs !== undefined);
  for (const file of rotated.slice(0, Math.max(0, rotated.length - (limits.keptFiles - 1)))) {
    try {
      unlinkSync(file.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * Appends one line (rotating first when it would cross the bound); throws when the line could
 * not be written whole. A failed rotation does not keep the line out: it is written to the
 * current file, and the rotation's error is thrown after.
 */
export function appendAuditLine(directory: string, line: string, limits: AuditLimits, nowMs: number): void {
  const path = join(directory, currentFileName);
  const data = Buffer.from(line, 'utf8');
  let fd = openForAppend(directory, path);
  let rotationError: unknown;
  try {
    const size = fstatSync(fd).size;
    if (size > 0 && size + data.length > limits.maxFileBytes) {
      try {
        rotate(directory, path, fd, limits, nowMs);
      } catch (err) {
        rotationError = err;
      }
      closeSync(fd);
      fd = -1;
      fd = openForAppend(directory, path);
    }
    const written = writeSync(fd, data);
    if (written !== data.length) throw new Error(`only ${written} of ${data.length} bytes were written (is the disk full?)`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  if (rotationError) throw rotationError;
}
