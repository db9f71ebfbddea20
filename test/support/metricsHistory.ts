// Synthetic metrics history samples and a temporary metrics folder, for the history's unit tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistorySample } from '../../src/monitor/history/format';
import { EngineLog } from '../../src/engine/connection';

/** A Monday, 00:00 UTC: simulated histories start here, far from the real clock. */
export const simulatedStart = Date.UTC(2026, 0, 5);

export function syntheticSample(at: number, values: Partial<HistorySample> = {}): HistorySample {
  return {
    at,
    cpuPercent: 10,
    memoryBytes: 100 * 2 ** 20,
    memoryLimitBytes: 512 * 2 ** 20,
    pids: 3,
    netRxBytes: 0,
    netTxBytes: 0,
    netRxPackets: 0,
    netTxPackets: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    ...values,
  };
}

/** A metrics folder of its own per test, removed after it. */
export function temporaryMetricsDir(): { readonly dir: string } {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aicli-metrics-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir(): string {
      return dir;
    },
  };
}

/** A log that keeps what it was told, by level. */
export function recordingLog(): EngineLog & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, trace: at('trace'), info: at('info'), warn: at('warn'), error: at('error') };
}
