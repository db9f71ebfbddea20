import { EngineConnection } from '../engine/connection';
import { containerOutput, createContainer, removeContainer, startContainer, waitContainer } from '../engine/containers';
import { FrameDemuxer } from '../engine/demux';
import type { ContainerCreateOptions } from '../engine/types';

export interface ShortLivedRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Both streams as they came, interleaved. */
  output: string;
}

/**
 * One short-lived helper container of ours (review's apply and discard, the data-device probe):
 * created, started, waited for, its output read, and removed whatever happened.
 */
export async function runShortLived(connection: EngineConnection, options: ContainerCreateOptions, what: string): Promise<ShortLivedRun> {
  const id = await createContainer(connection, options);
  try {
    await startContainer(connection, id, {}, what);
    const code = await waitContainer(connection, id);
    const streams: Record<'stdout' | 'stderr' | 'output', Buffer[]> = { stdout: [], stderr: [], output: [] };
    new FrameDemuxer((kind, payload) => {
      streams[kind === 'stderr' ? 'stderr' : 'stdout'].push(payload);
      streams.output.push(payload);
    }).push(await containerOutput(connection, id));
    const text = (parts: Buffer[]): string => Buffer.concat(parts).toString('utf8');
    return { code, stdout: text(streams.stdout), stderr: text(streams.stderr), output: text(streams.output) };
  } finally {
    await removeContainer(connection, id, { force: true }).catch(() => undefined);
  }
}
