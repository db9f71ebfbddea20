// A clock for unit tests of timer logic: time moves only when the test says, timers fire in order.
import type { LifetimeClock, LifetimeTimer } from '../../src/workspace/lifetimes/clock';

interface Pending {
  at: number;
  run: () => void;
  cancelled: boolean;
}

export class FakeClock implements LifetimeClock {
  private pending: Pending[] = [];

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): LifetimeTimer {
    const timer: Pending = { at: this.time + Math.max(0, ms), run, cancelled: false };
    this.pending.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Timers not yet fired nor cancelled. */
  get armed(): number {
    return this.pending.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time on by ms, firing every timer due on the way at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.pending = this.pending.filter((timer) => !timer.cancelled);
      const next = this.pending.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.run();
    }
    this.time = end;
  }
}
