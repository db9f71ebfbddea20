/** Imported first by extension.ts: the time the bundle started evaluating, for bench/activation. */
export const bundleEvaluationStartedAt = performance.now();
