import * as assert from 'node:assert/strict';
import { LogLineParser, timestampNanos } from '../../src/engine/logLines';

function frame(kind: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('LogLineParser', () => {
  it('reads engine timestamps with trimmed zeros to the nanosecond', () => {
    assert.equal(timestampNanos('2026-11-25T12:00:00.123456789Z'), 1795608000123456789n);
    assert.equal(timestampNanos('2026-11-25T12:00:00.1Z'), 1795608000100000000n);
    assert.equal(timestampNanos('2026-11-25T12:00:00Z'), 1795608000000000000n);
    assert.equal(timestampNanos('not a time'), undefined);
  });

  it('splits multiplexed frames into stdout and stderr lines, across chunk boundaries', () => {
    const parser = new LogLineParser(false);
    const bytes = Buffer.concat([
      frame(1, '2026-11-25T12:00:00.1Z one\n2026-11-25T12:00:00.2Z tw'),
      frame(1, 'o\n'),
      frame(2, '2026-11-25T12:00:00.3Z oops\n'),
    ]);
    const lines = [...parser.push(bytes.subarray(0, 13)), ...parser.push(bytes.subarray(13))];
    assert.deepEqual(
      lines.map((line) => [line.stream, line.text]),
      [
        ['stdout', 'one'],
        ['stdout', 'two'],
        ['stderr', 'oops'],
      ],
    );
  });

  it('reads TTY streams raw and drops the carriage return', () => {
    const parser = new LogLineParser(true);
    assert.deepEqual(
      parser.push(Buffer.from('2026-11-25T12:00:00.1Z hello\r\n2026-11-25T12:00:00.2Z par')).map((l) => l.text),
      ['hello'],
    );
    assert.deepEqual(
      parser.push(Buffer.from('tial\r\n')).map((l) => [l.stream, l.text]),
      [['tty', 'partial']],
    );
  });
});
