import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { EngineConnection } from './connection';
import { filtersParameter } from './filters';
import { JsonLineParser } from './jsonLines';

/** One event from GET /events, as the engine sends it. */
export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  time: number;
  timeNano: number;
}

/**
 * Podman's names for container actions dockerd names otherwise (measured on Podman 4.3.1: a
 * container's events are create, init, start, exec, exec_died, die, cleanup, remove; there is no
 * stop). Read under dockerd's names, so every subscriber meets one vocabulary.
 */
const podmanContainerActions: Record<string, string> = { remove: 'destroy', exec_died: 'exec_die' };

/** The events endpoint's newline-delimited JSON, split into events (chunks may end mid-event). */
export class EventLineParser extends JsonLineParser<DockerEvent> {
  override push(chunk: Buffer | string): DockerEvent[] {
    return super.push(chunk).map((event) => {
      const action = event.Type === 'container' ? podmanContainerActions[event.Action] : undefined;
      return action ? { ...event, Action: action } : event;
    });
  }
}

/** The engine's `since` filter at nanosecond precision ("seconds.nanoseconds"). */
export function sinceParameter(timeNano: number | bigint): string {
  const nanos = BigInt(timeNano);
  const seconds = nanos / 1_000_000_000n;
  const rest = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${rest}`;
}

export interface EventStreamOptions {
  /** Replays from here ("seconds.nanoseconds", see sinceParameter) before the live events. */
  since?: string;
  /** Only container events, of these containers. */
  containers?: string[];
}

/**
 * GET /events on the untimed client (it lasts as long as we listen), newline-delimited JSON
 * for EventLineParser. Errors come back unmapped, as dockerode raised them.
 */
export async function openEvents(connection: EngineConnection, options: EventStreamOptions = {}): Promise<Readable> {
  const filters = filtersParameter({ type: options.containers ? ['container'] : undefined, container: options.containers });
  // The types say `since` is a number and `filters` an object; the engine takes these strings.
  const query = { ...(options.since ? { since: options.since } : {}), ...(filters ? { filters } : {}) } as unknown as Docker.GetEventsOptions;
  return (await connection.untimed.getEvents(query)) as unknown as Readable;
}

/** A container's end, watched while something runs in it (see watchContainerEnd). */
export interface ContainerEndWatch {
  /** Resolves with the action ('die' or 'destroy') when the container ends; never rejects. */
  ended: Promise<string>;
  dispose(): void;
}

/**
 * Opens an events stream of one container until disposed. For an exec in a gVisor box: when
 * the sandbox dies (its processes went over a limit), the engine never ends that exec's
 * stream, so the exec would wait forever; its caller races this instead. A lost stream
 * resolves nothing (the exec's own stream reports a lost engine).
 */
export async function watchContainerEnd(connection: EngineConnection, containerId: string): Promise<ContainerEndWatch> {
  const stream = await openEvents(connection, { containers: [containerId] });
  const parser = new EventLineParser();
  let resolveEnded: (action: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (resolveEnded = resolve));
  stream.on('data', (chunk: Buffer) => {
    const end = parser.push(chunk).find((event) => event.Actor.ID === containerId && (event.Action === 'die' || event.Action === 'destroy'));
    if (end) resolveEnded(end.Action);
  });
  stream.on('error', () => {});
  return { ended, dispose: () => stream.destroy() };
}
