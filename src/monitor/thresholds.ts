/**
 * Threshold crossing with a sustain window and hysteresis, as a pure step function over a
 * sequence of samples, so alerts neither fire on a one-second spike nor flap around the line.
 *
 * Raise: the value is at or above `threshold` on `sustainSamples` consecutive samples, or
 * for at least `sustainMs` (whichever comes first). Clear: the value is below
 * `threshold - hysteresis` on `clearSamples` consecutive samples, or for `clearMs`.
 * A value between the two lines keeps the current state and resets both counters.
 */
export interface ThresholdRule {
  threshold: number;
  sustainSamples: number;
  sustainMs: number;
  clearSamples: number;
  clearMs: number;
  /** Percentage points below the threshold that count as clear. */
  hysteresis: number;
}

export const defaultSustain = { sustainSamples: 2, sustainMs: 2000, clearSamples: 3, clearMs: 3000, hysteresis: 5 };

/** The engine streams one stats sample a second. */
export const statsIntervalMs = 1000;

/**
 * The rule for a metric whose sample is already an average over the interval before it
 * (CPU %: usage delta / time delta), as opposed to a gauge read at that instant (memory,
 * pids). One such sample over the line has been over it, on average, for a whole interval,
 * so it stands for the first sample of the sustain: waiting for a second one would only
 * add a second of latency (measured in bench/monitor), not protection against spikes.
 */
export function averagedSampleRule(rule: ThresholdRule): ThresholdRule {
  return { ...rule, sustainSamples: Math.max(1, rule.sustainSamples - 1), sustainMs: Math.max(0, rule.sustainMs - statsIntervalMs) };
}

export interface ThresholdState {
  active: boolean;
  /** Time of the first sample of the current run on the other side of the line. */
  runSince?: number;
  runSamples: number;
  /** While active: when the condition began (the first sample over, before the sustain). */
  conditionAt?: number;
  /** Highest value since the condition began. */
  peak?: number;
}

export const initialThresholdState: ThresholdState = { active: false, runSamples: 0 };

export type ThresholdTransition = { kind: 'raise'; conditionAt: number; value: number } | { kind: 'clear'; value: number };

export interface ThresholdStep {
  state: ThresholdState;
  transition?: ThresholdTransition;
}

/** One sample. An undefined value (no reading yet) changes nothing. */
export function stepThreshold(state: ThresholdState, value: number | undefined, at: number, rule: ThresholdRule): ThresholdStep {
  if (value === undefined || !Number.isFinite(value)) return { state };
  if (!state.active) {
    if (value < rule.threshold) return { state: { active: false, runSamples: 0 } };
    const runSince = state.runSince ?? at;
    const runSamples = state.runSamples + 1;
    const peak = Math.max(state.peak ?? value, value);
    if (runSamples >= rule.sustainSamples || at - runSince >= rule.sustainMs) {
      return { state: { active: true, runSamples: 0, conditionAt: runSince, peak }, transition: { kind: 'raise', conditionAt: runSince, value } };
    }
    return { state: { active: false, runSince, runSamples, peak } };
  }
  const peak = Math.max(state.peak ?? value, value);
  if (value >= rule.threshold - rule.hysteresis) return { state: { active: true, runSamples: 0, conditionAt: state.conditionAt, peak } };
  const runSince = state.runSince ?? at;
  const runSamples = state.runSamples + 1;
  if (runSamples >= rule.clearSamples || at - runSince >= rule.clearMs) {
    return { state: { active: false, runSamples: 0 }, transition: { kind: 'clear', value } };
  }
  return { state: { active: true, runSince, runSamples, conditionAt: state.conditionAt, peak } };
}

/** Runs a whole sequence; for tests and for replaying recorded samples. */
export function runThreshold(
  values: { value: number | undefined; at: number }[],
  rule: ThresholdRule,
): { transitions: (ThresholdTransition & { at: number })[]; state: ThresholdState } {
  let state = initialThresholdState;
  const transitions: (ThresholdTransition & { at: number })[] = [];
  for (const { value, at } of values) {
    const step = stepThreshold(state, value, at, rule);
    state = step.state;
    if (step.transition) transitions.push({ ...step.transition, at });
  }
  return { transitions, state };
}
