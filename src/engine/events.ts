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

/** The events endpoint's newline-delimited JSON, split into events (chunks may end mid-event). */
export class EventLineParser extends JsonLineParser<DockerEvent> {}

/** The engine's `since` filter at nanosecond precision ("seconds.nanoseconds"). */
export function sinceParameter(timeNano: number | bigint): string {
  const nanos = BigInt(timeNano);
  const seconds = nanos / 1_000_000_000n;
  const rest = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${rest}`;
}
