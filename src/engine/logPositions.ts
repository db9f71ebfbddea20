import { LogLine } from './logLines';

/** How far before the earliest stream's last line a resumed attach asks (see resumeSince). */
export const resumeMarginNanos = 1_000_000_000n;

interface StreamPosition {
  lastNanos: bigint;
  /** Lines delivered with exactly lastNanos (two lines may share a timestamp). */
  countAtLast: number;
  /** On a resumed attach, the engine repeats the lines at lastNanos; skip that many. */
  skipAtLast: number;
}

/**
 * What a log follower has delivered, per stream. The engine stamps each stream's lines in its
 * own copier, so one stream's times only ever grow, but the two streams are stored (and read
 * back) in the order the copiers wrote them: a stderr line can follow a stdout line stamped
 * later than itself (measured under gVisor: by up to a millisecond). Positions are therefore
 * kept per stream, and a resumed attach asks from a margin before the earliest of them, then
 * skips per stream what was already delivered.
 */
export class DeliveredLogPositions {
  private readonly positions = new Map<LogLine['stream'], StreamPosition>();

  /** The `since` of the next attach (undefined: nothing delivered yet, use the tail). */
  resumeSince(): bigint | undefined {
    let earliest: bigint | undefined;
    for (const position of this.positions.values()) {
      position.skipAtLast = position.countAtLast;
      if (earliest === undefined || position.lastNanos < earliest) earliest = position.lastNanos;
    }
    if (earliest === undefined) return undefined;
    return earliest > resumeMarginNanos ? earliest - resumeMarginNanos : 0n;
  }

  /** Whether the line is new; if so it now counts as delivered. */
  accept(line: LogLine): boolean {
    const position = this.positions.get(line.stream);
    if (position === undefined) {
      this.positions.set(line.stream, { lastNanos: line.timeNanos, countAtLast: 1, skipAtLast: 0 });
      return true;
    }
    if (line.timeNanos < position.lastNanos) return false;
    if (line.timeNanos === position.lastNanos) {
      if (position.skipAtLast > 0) {
        position.skipAtLast--;
        return false;
      }
      position.countAtLast++;
      return true;
    }
    position.lastNanos = line.timeNanos;
    position.countAtLast = 1;
    position.skipAtLast = 0;
    return true;
  }
}
