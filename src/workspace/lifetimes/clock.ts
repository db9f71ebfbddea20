/** Time for the lifetimes, injected so unit tests run hours of idleness in no time. */
export interface LifetimeTimer {
  cancel(): void;
}

export interface LifetimeClock {
  now(): number;
  /** Runs `run` once, `ms` from now. */
  after(ms: number, run: () => void): LifetimeTimer;
}

/** setTimeout waits at most 2^31 - 1 ms (about 24.8 days) and fires at once when asked for more. */
const longestTimeoutMs = 2 ** 31 - 1;

/** The real clock; a wait longer than setTimeout allows is made of shorter ones. Unref'd: a timer never holds a process open. */
export const systemClock: LifetimeClock = {
  now: () => Date.now(),
  after(ms, run) {
    const dueAt = Date.now() + Math.max(0, ms);
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const left = dueAt - Date.now();
      handle = setTimeout(left > longestTimeoutMs ? arm : run, Math.min(Math.max(0, left), longestTimeoutMs));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};
