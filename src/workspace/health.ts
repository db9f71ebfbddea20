import { EngineConnection } from '../engine/connection';
import { inspectContainer } from '../engine/containers';
import { EngineError, toEngineError } from '../engine/errors';
import { EventLineParser, openEvents } from '../engine/events';
import type { ContainerInspectInfo, ImageInspectInfo } from '../engine/types';

export type HealthFailure = 'unhealthy' | 'exited' | 'timeout' | 'gone';

/** A container that did not become healthy; carries the last health-check output for the user. */
export class HealthCheckError extends EngineError {
  constructor(
    readonly failure: HealthFailure,
    readonly containerId: string,
    /** Output of the last health-check run (State.Health.Log), trimmed; '' when there was none. */
    readonly lastOutput: string,
    message: string,
  ) {
    super(
      'engine',
      message,
      failure === 'timeout'
        ? "Raise aicli.workspace.healthTimeout, or check the image's health check."
        : "Check the workspace's logs and the image's health check.",
      [{ id: 'showLog', label: 'Show Log' }],
    );
    this.name = 'HealthCheckError';
  }
}

/** The image defines a health check of its own (["NONE"] turns checks off: that is not one). */
export function imageHasHealthCheck(config: ImageInspectInfo['Config'] | undefined): boolean {
  const test = config?.Healthcheck?.Test ?? [];
  return test.length > 0 && test[0] !== 'NONE';
}

export interface WaitUntilHealthyOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

type Verdict = { done: true } | { done: false; failure?: HealthFailure; lastOutput: string; detail: string };

function lastHealthOutput(info: ContainerInspectInfo | undefined): string {
  const log = (info?.State as { Health?: { Log?: { Output?: string }[] } } | undefined)?.Health?.Log ?? [];
  return (log[log.length - 1]?.Output ?? '').trim();
}

/** Healthy, or running when the container has no health check, is done; unhealthy or stopped fails. */
function judge(info: ContainerInspectInfo): Verdict {
  const state = info.State as ContainerInspectInfo['State'] & { Health?: { Status?: string } };
  const lastOutput = lastHealthOutput(info);
  if (!state.Running || state.Status === 'exited' || state.Status === 'dead') {
    return { done: false, failure: 'exited', lastOutput, detail: `exited with code ${state.ExitCode}` };
  }
  const health = state.Health?.Status;
  if (!health || health === 'none') return state.Status === 'running' ? { done: true } : { done: false, lastOutput, detail: state.Status };
  if (health === 'healthy') return { done: true };
  if (health === 'unhealthy') return { done: false, failure: 'unhealthy', lastOutput, detail: 'unhealthy' };
  return { done: false, lastOutput, detail: health };
}

/**
 * Resolves when the container is healthy (or running, without a health check). Driven by the
 * engine's events for this container — each one triggers an inspect — so nothing polls on a timer.
 * Rejects with a HealthCheckError carrying the last health-check output when the container turns
 * unhealthy, stops, disappears, or the timeout passes first.
 */
export async function waitUntilHealthy(connection: EngineConnection, containerId: string, options: WaitUntilHealthyOptions): Promise<void> {
  const short = containerId.slice(0, 12);
  // The stream opens before the first inspect, so no transition falls between the two.
  const stream = await openEvents(connection, { containers: [containerId] }).catch((err: unknown) => {
    throw toEngineError(err, connection.host);
  });

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let lastOutput = '';
    let lastDetail = 'starting';
    let checking = Promise.resolve();
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      stream.destroy();
      if (err) reject(err);
      else resolve();
    };
    const fail = (failure: HealthFailure, detail: string): void => {
      const output = lastOutput ? ` Last health check output: ${lastOutput}` : '';
      finish(new HealthCheckError(failure, containerId, lastOutput, `Container ${short} did not become healthy: ${detail}.${output}`));
    };
    const check = (): void => {
      // Serialized: an inspect answering late must not overrule a newer one.
      checking = checking.then(async () => {
        if (settled) return;
        let info: ContainerInspectInfo;
        try {
          info = await inspectContainer(connection, containerId);
        } catch (err) {
          const mapped = toEngineError(err, connection.host);
          if (mapped.kind === 'notFound') fail('gone', 'it was removed');
          else finish(mapped);
          return;
        }
        const verdict = judge(info);
        if (verdict.done) return finish();
        lastOutput = verdict.lastOutput || lastOutput;
        lastDetail = verdict.detail;
        if (verdict.failure) fail(verdict.failure, verdict.detail);
      });
    };
    const timer = setTimeout(() => {
      // One last look, so the error carries the newest health-check output.
      inspectContainer(connection, containerId)
        .then((info) => {
          lastOutput = lastHealthOutput(info) || lastOutput;
        })
        .catch(() => undefined)
        .finally(() => fail('timeout', `still ${lastDetail} after ${Math.round(options.timeoutMs / 1000)} s`));
    }, options.timeoutMs);
    const onAbort = (): void => finish(new EngineError('engine', `Waiting for container ${short} to become healthy was cancelled.`, ''));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const parser = new EventLineParser();
    stream.on('data', (chunk: Buffer) => {
      if (parser.push(chunk).length > 0) check();
    });
    stream.once('error', (err: Error) => finish(toEngineError(err, connection.host)));
    stream.once('end', () => {
      if (!settled)
        finish(
          new EngineError(
            'engine',
            `The events stream from ${connection.host} ended while waiting for container ${short}.`,
            'Check that the engine is still running, then retry.',
          ),
        );
    });
    check();
  });
}
