import { StringDecoder } from 'node:string_decoder';

/**
 * Newline-delimited JSON from a streaming endpoint (events, stats). Chunks may end anywhere — inside
 * a line or inside a multi-byte character — so bytes go through a StringDecoder and the tail
 * after the last newline waits for the next chunk.
 */
export class JsonLineParser<T> {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** Lines that were not JSON; a cut or garbled line is skipped, the stream goes on. */
  skipped = 0;

  push(chunk: Buffer | string): T[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const values: T[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        values.push(JSON.parse(line) as T);
      } catch {
        this.skipped++;
      }
    }
    return values;
  }

  /** Bytes of an unfinished line; non-empty when the stream ended means its last line was cut. */
  get pendingText(): string {
    return this.pending;
  }
}
