import { FrameDemuxer, StreamKind } from './demux';

export interface LogLine {
  stream: 'stdout' | 'stderr' | 'tty';
  /** Nanoseconds since the epoch, from the engine's timestamp. */
  timeNanos: bigint;
  /** The engine's RFC 3339 timestamp as sent. */
  timestamp: string;
  text: string;
}

/** "2026-11-25T12:00:00.123456789Z" (the engine trims trailing zeros) → ns since the epoch. */
export function timestampNanos(timestamp: string): bigint | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/**
 * Turns a `logs?timestamps=1` stream into lines: through the project's demuxer for non-TTY
 * containers, raw for TTY ones. Partial lines wait for their newline, per stream.
 */
export class LogLineParser {
  private readonly partial = new Map<LogLine['stream'], string>();
  private readonly demuxer: FrameDemuxer | undefined;
  private out: LogLine[] = [];

  constructor(tty: boolean) {
    this.demuxer = tty ? undefined : new FrameDemuxer((kind, payload) => this.take(kindOf(kind), payload.toString('utf8')));
  }

  /** Lines completed by this chunk. */
  push(chunk: Buffer): LogLine[] {
    if (this.demuxer) this.demuxer.push(chunk);
    else this.take('tty', chunk.toString('utf8'));
    const lines = this.out;
    this.out = [];
    return lines;
  }

  private take(stream: LogLine['stream'], text: string): void {
    const pieces = ((this.partial.get(stream) ?? '') + text).split('\n');
    this.partial.set(stream, pieces.pop() ?? '');
    for (const piece of pieces) {
      const raw = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
      const space = raw.indexOf(' ');
      const timestamp = space > 0 ? raw.slice(0, space) : raw;
      const timeNanos = timestampNanos(timestamp);
      if (timeNanos === undefined) continue;
      this.out.push({ stream, timeNanos, timestamp, text: space > 0 ? raw.slice(space + 1) : '' });
    }
  }
}

function kindOf(kind: StreamKind): LogLine['stream'] {
  return kind === 'stderr' ? 'stderr' : 'stdout';
}
