import { Writable } from 'node:stream';

/** A Writable that hands each chunk, as text, to `append` (exec output captured by a test). */
export function textSink(append: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      append(chunk.toString());
      done();
    },
  });
}
