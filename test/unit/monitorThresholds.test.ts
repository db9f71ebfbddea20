import * as assert from 'node:assert/strict';
import { averagedSampleRule, defaultSustain, runThreshold, ThresholdRule } from '../../src/monitor/thresholds';

const rule: ThresholdRule = { threshold: 85, ...defaultSustain };
/** One sample a second, as the engine streams them. */
const seconds = (values: (number | undefined)[]): { value: number | undefined; at: number }[] => values.map((value, i) => ({ value, at: i * 1000 }));

describe('thresholds: sustain before raising, hysteresis before clearing', () => {
  it('a one-sample spike never raises', () => {
    assert.deepEqual(runThreshold(seconds([10, 99, 10, 99, 10, 99, 10]), rule).transitions, []);
  });

  it('two samples in a row over the line raise, with the condition dated at the first', () => {
    const { transitions, state } = runThreshold(seconds([10, 86, 90]), rule);
    assert.deepEqual(transitions, [{ kind: 'raise', conditionAt: 1000, value: 90, at: 2000 }]);
    assert.equal(state.active, true);
    assert.equal(state.peak, 90);
  });

  it('an averaged sample (CPU over the second before it) raises on its own; a gauge needs a second one', () => {
    const averaged = runThreshold(seconds([10, 95]), averagedSampleRule(rule));
    assert.deepEqual(averaged.transitions, [{ kind: 'raise', conditionAt: 1000, value: 95, at: 1000 }]);
    assert.deepEqual(runThreshold(seconds([10, 95]), rule).transitions, []);
    // Clearing is unchanged: the averaged rule still needs three samples under the line.
    const cleared = runThreshold(seconds([95, 50, 50, 50]), averagedSampleRule(rule));
    assert.deepEqual(
      cleared.transitions.map((t) => `${t.kind}@${t.at}`),
      ['raise@0', 'clear@3000'],
    );
  });

  it('exactly at the threshold counts as over', () => {
    assert.equal(runThreshold(seconds([85, 85]), rule).transitions.length, 1);
  });

  it('sparse samples: one over-sample that lasts past sustainMs also raises', () => {
    const { transitions } = runThreshold(
      [
        { value: 90, at: 0 },
        { value: 90, at: 2500 },
      ],
      { ...rule, sustainSamples: 5 },
    );
    assert.deepEqual(
      transitions.map((t) => t.kind),
      ['raise'],
    );
  });

  it('hovering just under the line (within hysteresis) does not clear, so it does not flap', () => {
    const { transitions } = runThreshold(seconds([90, 90, 84, 86, 83, 84, 82, 86, 84]), rule);
    assert.deepEqual(
      transitions.map((t) => t.kind),
      ['raise'],
    );
  });

  it('clears after three samples below threshold − hysteresis, not before', () => {
    const { transitions } = runThreshold(seconds([90, 90, 50, 50, 90, 50, 50, 50]), rule);
    assert.deepEqual(
      transitions.map((t) => `${t.kind}@${t.at}`),
      ['raise@1000', 'clear@7000'],
    );
  });

  it('raise, clear and raise again gives three transitions; undefined readings change nothing', () => {
    const { transitions } = runThreshold(seconds([90, undefined, 90, 10, 10, 10, 95, 95]), rule);
    assert.deepEqual(
      transitions.map((t) => t.kind),
      ['raise', 'clear', 'raise'],
    );
    assert.equal((transitions[2] as { conditionAt: number }).conditionAt, 6000);
  });

  it('a sawtooth around the threshold with one-sample peaks stays quiet', () => {
    const values = Array.from({ length: 30 }, (_, i) => (i % 2 ? 88 : 70));
    assert.deepEqual(runThreshold(seconds(values), rule).transitions, []);
  });
});
