import * as assert from 'node:assert/strict';
import { FrameDemuxer, StreamKind } from '../../src/engine/demux';

function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function collector(): { demuxer: FrameDemuxer; frames: [StreamKind, string][] } {
  const frames: [StreamKind, string][] = [];
  return { demuxer: new FrameDemuxer((kind, payload) => frames.push([kind, payload.toString()])), frames };
}

const stream = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(0, 'in')]);
const expected: [StreamKind, string][] = [
  ['stdout', 'hello '],
  ['stderr', 'oops\n'],
  ['stdout', 'world\n'],
  ['stdin', 'in'],
];

describe('FrameDemuxer', () => {
  it('delivers several frames from one chunk, with their stream kinds', () => {
    const { demuxer, frames } = collector();
    demuxer.push(stream);
    assert.deepEqual(frames, expected);
    assert.equal(demuxer.pendingBytes, 0);
  });

  it('delivers the same frames when fed one byte at a time', () => {
    const { demuxer, frames } = collector();
    for (let i = 0; i < stream.length; i++) demuxer.push(stream.subarray(i, i + 1));
    assert.deepEqual(frames, expected);
    assert.equal(demuxer.pendingBytes, 0);
  });

  it('delivers the same frames for every split point of the stream', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const { demuxer, frames } = collector();
      demuxer.push(stream.subarray(0, cut));
      demuxer.push(stream.subarray(cut));
      assert.deepEqual(frames, expected, `cut at ${cut}`);
      assert.equal(demuxer.pendingBytes, 0, `cut at ${cut}`);
    }
  });

  it('waits for a header split across chunks', () => {
    const { demuxer, frames } = collector();
    const data = frame(2, 'err');
    demuxer.push(data.subarray(0, 3));
    demuxer.push(data.subarray(3, 7));
    assert.deepEqual(frames, []);
    assert.equal(demuxer.pendingBytes, 7);
    demuxer.push(data.subarray(7));
    assert.deepEqual(frames, [['stderr', 'err']]);
  });

  it('skips zero-length frames without a callback', () => {
    const { demuxer, frames } = collector();
    demuxer.push(Buffer.concat([frame(1, ''), frame(2, ''), frame(1, 'x'), frame(1, '')]));
    assert.deepEqual(frames, [['stdout', 'x']]);
    assert.equal(demuxer.pendingBytes, 0);
  });

  it('delivers a 5 MB frame intact, whatever the chunk size', () => {
    const payload = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 255;
    const data = Buffer.concat([frame(1, payload), frame(2, 'after')]);
    for (const chunkSize of [65536, 16381, data.length]) {
      const received: [StreamKind, Buffer][] = [];
      const demuxer = new FrameDemuxer((kind, body) => received.push([kind, Buffer.from(body)]));
      for (let i = 0; i < data.length; i += chunkSize) demuxer.push(data.subarray(i, i + chunkSize));
      assert.equal(received.length, 2, `chunk ${chunkSize}`);
      assert.equal(received[0]![0], 'stdout');
      assert.ok(received[0]![1].equals(payload), `chunk ${chunkSize}: payload differs`);
      assert.deepEqual([received[1]![0], received[1]![1].toString()], ['stderr', 'after']);
      assert.equal(demuxer.pendingBytes, 0);
    }
  });

  it('keeps payloads intact after later chunks arrive', () => {
    const payloads: Buffer[] = [];
    const demuxer = new FrameDemuxer((_kind, body) => payloads.push(body));
    const data = Buffer.concat([frame(1, 'first'), frame(1, 'sec')]);
    demuxer.push(data.subarray(0, 15));
    demuxer.push(data.subarray(15));
    demuxer.push(frame(2, 'third'));
    assert.deepEqual(payloads.map(String), ['first', 'sec', 'third']);
  });

  it('reports the bytes of a cut frame as pending', () => {
    const { demuxer, frames } = collector();
    const data = Buffer.concat([frame(1, 'whole'), frame(2, 'cut short')]);
    demuxer.push(data.subarray(0, data.length - 4));
    assert.deepEqual(frames, [['stdout', 'whole']]);
    assert.equal(demuxer.pendingBytes, 8 + 'cut short'.length - 4);
    const headerOnly = collector();
    headerOnly.demuxer.push(Buffer.from([1, 0, 0]));
    assert.equal(headerOnly.demuxer.pendingBytes, 3);
  });

  it('treats an unknown stream type as stdout', () => {
    const { demuxer, frames } = collector();
    demuxer.push(frame(3, 'system'));
    assert.deepEqual(frames, [['stdout', 'system']]);
  });
});
