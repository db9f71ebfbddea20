// Tears down what the harness started when the runner exits or is interrupted.
type Teardown = { sync: () => void; async: () => Promise<void> };

const pending = new Set<Teardown>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  // 'exit' handlers must be synchronous: kill with SIGKILL and remove dirs.
  process.on('exit', () => {
    for (const t of pending) t.sync();
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      void Promise.allSettled([...pending].map((t) => t.async())).finally(() => process.exit(code));
    });
  }
}

/** Registers a teardown; returns a function that unregisters it (call it once torn down normally). */
export function onProcessExit(sync: () => void, async: () => Promise<void>): () => void {
  install();
  const entry: Teardown = { sync, async };
  pending.add(entry);
  return () => {
    pending.delete(entry);
  };
}
