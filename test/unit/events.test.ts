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

  it("reads Podman's remove and exec_died of a container as destroy and exec_die; other types keep their names", () => {
    const event = (Type: string, Action: string): string => JSON.stringify({ Type, Action, Actor: { ID: 'abc', Attributes: {} }, time: 1, timeNano: 1e9 });
    const lines = [event('container', 'remove'), event('container', 'exec_died'), event('container', 'die'), event('network', 'remove')];
    const actions = new EventLineParser().push(`${lines.join('\n')}\n`).map((parsed) => `${parsed.Type} ${parsed.Action}`);
    assert.deepEqual(actions, ['container destroy', 'container exec_die', 'container die', 'network remove']);
  });

  it('writes since as seconds.nanoseconds', () => {
    assert.equal(sinceParameter(1732540000123456789n), '1732540000.123456789');
    assert.equal(sinceParameter(5n), '0.000000005');
  });
});
