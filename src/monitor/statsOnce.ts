import { EngineConnection } from '../engine/connection';
import { containerStats } from '../engine/containers';
import { JsonLineParser } from '../engine/jsonLines';
import { EngineStatsSample, statsSnapshot, StatsSnapshot } from './stats';

/**
 * One snapshot of a running workspace, for a front end with no monitor running (aicli-ws
 * stats): the stream's second sample, about a second after it opens, since the first has no
 * previous reading to take the CPU % from; the first one when the second is late.
 */
export async function statsOnce(connection: EngineConnection, containerId: string, timeoutMs = 3000): Promise<StatsSnapshot | undefined> {
  const stream = await containerStats(connection, containerId);
  return new Promise((resolve) => {
    const parser = new JsonLineParser<EngineStatsSample>();
    let first: StatsSnapshot | undefined;
    const finish = (snapshot: StatsSnapshot | undefined): void => {
      clearTimeout(timer);
      stream.destroy();
      resolve(snapshot);
    };
    const timer = setTimeout(() => finish(first), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      for (const sample of parser.push(chunk)) {
        const snapshot = statsSnapshot(sample);
        if (!(snapshot.readAt > 0)) continue; // a stopping box's all-zero sample
        if (snapshot.cpuPercent !== undefined) return finish(snapshot);
        first ??= snapshot;
      }
    });
    stream.once('error', () => finish(first));
    stream.once('end', () => finish(first));
  });
}
