/**
 * Runs steps in parallel and hands every one that succeeded to `keep` (what a rollback must
 * remove) before failing with the first error: Promise.all would fail while a sibling is still
 * in flight and lose what that one makes (a network left behind when the other failed).
 */
export async function settleAll<T>(steps: Promise<T>[], keep: (made: T) => void): Promise<T[]> {
  const settled = await Promise.allSettled(steps);
  for (const result of settled) if (result.status === 'fulfilled') keep(result.value);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}
