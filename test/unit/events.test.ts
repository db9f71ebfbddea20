import * as assert from 'node:assert/strict';
import { EventLineParser, sinceParameter } from '../../src/engine/events';

describe('EventLineParser', () => {
  it('joins events split across chunks and skips noise', () => {
    const parser = new EventLineParser();
    const line = JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: {} }, time: 1, timeNano: 1e9 });
    assert.deepEqual(parser.push(line.slice(0, 10)), []);
    const events = parser.push(`${line.slice(10)}\n\nnot json\n${line}`);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.Action, 'start');
    assert.equal(parser.push('\n').length, 1);
  });

  it('writes since as seconds.nanoseconds', () => {
    assert.equal(sinceParameter(1732540000123456789n), '1732540000.123456789');
    assert.equal(sinceParameter(5n), '0.000000005');
  });
});
