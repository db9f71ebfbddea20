import * as assert from 'node:assert/strict';
import { LogLine } from '../../src/engine/logLines';
import { DeliveredLogPositions, resumeMarginNanos } from '../../src/engine/logPositions';

function line(stream: LogLine['stream'], timeNanos: bigint, text: string): LogLine {
  return { stream, timeNanos, timestamp: String(timeNanos), text };
}

function accepted(positions: DeliveredLogPositions, lines: LogLine[]): string[] {
  return lines.filter((each) => positions.accept(each)).map((each) => each.text);
}

describe('DeliveredLogPositions', () => {
  it('keeps a stderr line stored after a stdout line stamped later than itself', () => {
    // The order the engine stored them in under gVisor: 5580 (…371 ns), to-err (…202 ns), 5581.
    const positions = new DeliveredLogPositions();
    const stored = [line('stdout', 5_000_371n, '5580'), line('stderr', 5_000_202n, 'to-err'), line('stdout', 5_000_373n, '5581')];
    assert.deepEqual(accepted(positions, stored), ['5580', 'to-err', '5581']);
  });

  it('starts from the tail: nothing delivered, no since', () => {
    assert.equal(new DeliveredLogPositions().resumeSince(), undefined);
  });

  it('resumes a margin before the earliest stream and repeats nothing of either stream', () => {
    const positions = new DeliveredLogPositions();
    const base = 10n * resumeMarginNanos;
    const first = [line('stdout', base + 10n, 'a'), line('stderr', base + 5n, 'err-1'), line('stdout', base + 20n, 'b')];
    assert.deepEqual(accepted(positions, first), ['a', 'err-1', 'b']);
    assert.equal(positions.resumeSince(), base + 5n - resumeMarginNanos);
    // The engine sends everything from the since on again, then what is new.
    const again = [...first, line('stderr', base + 21n, 'err-2'), line('stdout', base + 22n, 'c')];
    assert.deepEqual(accepted(positions, again), ['err-2', 'c']);
  });

  it('skips only as many lines at the last timestamp as were delivered', () => {
    const positions = new DeliveredLogPositions();
    assert.deepEqual(accepted(positions, [line('stdout', 100n, 'x1'), line('stdout', 100n, 'x2')]), ['x1', 'x2']);
    assert.equal(positions.resumeSince(), 0n);
    // Two lines share the last timestamp and a third with it was written after the detach.
    assert.deepEqual(accepted(positions, [line('stdout', 100n, 'x1'), line('stdout', 100n, 'x2'), line('stdout', 100n, 'x3')]), ['x3']);
  });

  it('a stream first seen on a resumed attach is delivered whole', () => {
    const positions = new DeliveredLogPositions();
    const base = 5n * resumeMarginNanos;
    accepted(positions, [line('stdout', base, 'out')]);
    positions.resumeSince();
    assert.deepEqual(accepted(positions, [line('stderr', base - 1n, 'late-err'), line('stdout', base, 'out')]), ['late-err']);
  });
});
