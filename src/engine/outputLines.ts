import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';

/** Text that arrives in pieces, as whole lines; what follows the last newline waits for the next piece. */
export class LineSplitter {
  private partial = '';

  push(text: string): string[] {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines;
  }

  /** What is left after the last newline, now that no more comes. */
  rest(): string {
    const rest = this.partial;
    this.partial = '';
    return rest;
  }
}

/**
 * A Writable that hands on whole lines (UTF-8 decoded, prefixed). Whole lines keep stdout and
 * stderr from interleaving mid-line in one output channel; flush() passes a last partial line.
 * Core code (no `vscode`): the Run Command output channel and the devcontainer lifecycle commands share it.
 */
export class PrefixedLineWriter extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines = new LineSplitter();

  constructor(
    private readonly prefix: string,
    private readonly onLine: (line: string) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const line of this.lines.push(this.decoder.write(chunk))) this.onLine(this.prefix + line.replace(/\r$/, ''));
    done();
  }

  /** Emits what is left without a newline; call once the stream is over. */
  flush(): void {
    const rest = this.lines.rest() + this.decoder.end();
    if (rest) this.onLine(this.prefix + rest.replace(/\r$/, ''));
  }
}
