import { AuditRecord } from './record';

/**
 * The longest line written: a record is one write(2) with O_APPEND (see segments.ts), and a
 * short line keeps that one write of one small buffer. 4 KiB is PIPE_BUF on Linux, the size
 * POSIX promises atomic for pipes; for regular files the kernel's inode lock is what keeps
 * lines whole, at any size, so the cap is a margin, not the guarantee.
 */
export const maxLineBytes = 4096;

/** A string longer than this keeps its head and says how much was cut (a command, an alert message). */
const stringChars = [1024, 160];
const maxArrayItems = 50;
const maxDepth = 5;

function capped(value: unknown, depth: number, chars: number): unknown {
  if (typeof value === 'string') return value.length <= chars ? value : `${value.slice(0, chars)}… [${value.length - chars} more characters]`;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return '[…]';
  if (Array.isArray(value)) {
    const items = value.slice(0, maxArrayItems).map((item) => capped(item, depth + 1, chars));
    return value.length > maxArrayItems ? [...items, `… [${value.length - maxArrayItems} more]`] : items;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capped(item, depth + 1, chars)]));
}

/** One record as one line of JSON (with its newline), under maxLineBytes: long values are cut, then all but the common fields dropped. */
export function auditLine(record: AuditRecord): string {
  for (const chars of stringChars) {
    const line = `${JSON.stringify(capped(record, 0, chars))}\n`;
    if (Buffer.byteLength(line) <= maxLineBytes) return line;
  }
  const { at, type, actor, via, pid, engine, workspace, outcome } = record;
  return `${JSON.stringify(capped({ at, type, actor, via, pid, engine, workspace, outcome, truncated: true }, 0, 160))}\n`;
}
