import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';

/**
 * A Writable that hands on whole lines (UTF-8 decoded, prefixed). Whole lines keep stdout and
 * stderr from interleaving mid-line in one output channel; flush() passes a last partial line.
 * Core code (no `vscode`): the Run Command output channel and the devcontainer lifecycle commands share it.
 */
export class PrefixedLineWriter extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly prefix: string,
    private readonly onLine: (line: string) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const lines = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(this.prefix + line.replace(/\r$/, ''));
    done();
  }

  /** Emits what is left without a newline; call once the stream is over. */
  flush(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) this.onLine(this.prefix + rest.replace(/\r$/, ''));
  }
}
