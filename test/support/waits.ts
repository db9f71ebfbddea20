// Waiting in tests: for an event, for a condition re-checked on events, or polled. Every wait has
// a deadline and says what it waited for; none imports the project, so the extension-host tests
// use them as the plain-Node ones do.
export interface Disposable {
  dispose(): void;
}

/** "Not yet": a check returns undefined or false until what it waits for holds. */
type Check<T> = () => T | undefined | false | Promise<T | undefined | false>;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first value `subscribe` hands over (its subscription disposed); rejects after timeoutMs. */
export function waitFor<T>(what: string | (() => string), timeoutMs: number, subscribe: (resolve: (value: T) => void) => Disposable): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`));
    }, timeoutMs);
    const subscription = subscribe((value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(value);
      // Also when subscribe() resolves before it has returned its subscription.
      queueMicrotask(() => subscription.dispose());
    });
  });
}

/** Resolves with check()'s first value, checking every intervalMs (the next check after the last one ended). */
export async function poll<T>(what: string, timeoutMs: number, check: Check<T>, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Resolves with check()'s first value, checking now and again at every event `changes` fires;
 * a check that throws counts as "not yet". Rejects after timeoutMs.
 */
export function untilEvent<T>(what: string | (() => string), timeoutMs: number, changes: (listener: () => void) => Disposable, check: Check<T>): Promise<T> {
  return waitFor<T>(what, timeoutMs, (resolve) => {
    const attempt = (): void => {
      void Promise.resolve()
        .then(check)
        .then(
          (value) => value !== undefined && value !== false && resolve(value),
          () => undefined,
        );
    };
    const subscription = changes(attempt);
    attempt();
    return subscription;
  });
}

/** What engineState() needs of an engine (the project's Engine, in plain Node or the extension host). */
export interface StatefulEngine<S extends { kind: string }> {
  readonly state: S;
  onDidChangeState(listener: (state: S) => void): Disposable;
}

/** Resolves with the engine's state once `matches` holds (now or at a later change); rejects after timeoutMs. */
export function engineState<S extends { kind: string }>(engine: StatefulEngine<S>, matches: (state: S) => boolean, timeoutMs: number): Promise<S> {
  if (matches(engine.state)) return Promise.resolve(engine.state);
  return waitFor(
    () => `the engine to reach the expected state (it is ${engine.state.kind})`,
    timeoutMs,
    (resolve) => engine.onDidChangeState((state) => matches(state) && resolve(state)),
  );
}
