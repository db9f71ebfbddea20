// The labels that scope what a test creates to its run: a sweep finds everything by them, even
// after a failure, and two runs sharing one engine never sweep each other's.
export const runLabelKey = 'aicli.test.run';

export function runLabels(runId: string): Record<string, string> {
  return { 'aicli.test': 'true', [runLabelKey]: runId };
}

/** The engine's list filter for what carries this run's label. */
export function runFilters(runId: string): string {
  return JSON.stringify({ label: [`${runLabelKey}=${runId}`] });
}

/** Labels as the CLI takes them (`--label key=value` each). */
export function cliLabelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
}

/** A run id of this process alone: the time tells apart two processes that got the same pid. */
export function processRunId(): string {
  return `${process.pid}-${Date.now().toString(36)}`;
}

/**
 * The run id the harness hands down to the processes it starts (AICLI_TEST_RUN: scripts/test.mjs
 * passes one to the extension host), else `<prefix>-<pid>` when the tests run on their own.
 */
export function inheritedRunId(prefix: string): string {
  return process.env.AICLI_TEST_RUN ?? `${prefix}-${process.pid}`;
}
