/** One event from GET /events, as the engine sends it. */
export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  time: number;
  timeNano: number;
}

/**
 * Splits the newline-delimited JSON of the events endpoint into events. Chunks may end in
 * the middle of an event; the remainder is kept for the next chunk.
 */
export class EventLineParser {
  private pending = '';

  push(chunk: Buffer | string): DockerEvent[] {
    this.pending += chunk.toString();
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const events: DockerEvent[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as DockerEvent);
      } catch {
        // A line that isn't JSON is not an event we can act on; skip it rather than drop the stream.
      }
    }
    return events;
  }
}

/** The engine's `since` filter at nanosecond precision ("seconds.nanoseconds"). */
export function sinceParameter(timeNano: number | bigint): string {
  const nanos = BigInt(timeNano);
  const seconds = nanos / 1_000_000_000n;
  const rest = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${rest}`;
}
