import * as assert from 'node:assert/strict';
import { LineSplitter, PrefixedLineWriter } from '../../src/engine/outputLines';

function writeAll(writer: PrefixedLineWriter, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    chunks.forEach((chunk) => writer.write(chunk));
    writer.end(resolve);
  });
}

describe('PrefixedLineWriter', () => {
  it('emits whole prefixed lines, joining lines and UTF-8 characters split across chunks', async () => {
    const lines: string[] = [];
    const writer = new PrefixedLineWriter('[stderr] ', (line) => lines.push(line));
    const bytes = Buffer.from('first\r\nsecönd\nthird, no newline', 'utf8');
    await writeAll(writer, [bytes.subarray(0, 3), bytes.subarray(3, 12), bytes.subarray(12, 13), bytes.subarray(13)]);
    assert.deepEqual(lines, ['[stderr] first', '[stderr] secönd']);
    writer.flush();
    assert.deepEqual(lines, ['[stderr] first', '[stderr] secönd', '[stderr] third, no newline']);
    writer.flush();
    assert.equal(lines.length, 3, 'a second flush emits nothing');
  });
});

describe('LineSplitter', () => {
  it('hands on whole lines as pieces arrive, the rest once at the end', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push('Step 1/2 : FR'), []);
    assert.deepEqual(splitter.push('OM base\nStep 2/2'), ['Step 1/2 : FROM base']);
    assert.deepEqual(splitter.push(' : RUN x\n\nlast'), ['Step 2/2 : RUN x', '']);
    assert.equal(splitter.rest(), 'last');
    assert.equal(splitter.rest(), '');
  });
});
