import { InputError } from '../../engine/errors';
import { parseDuration } from '../cleanup';

/**
 * The two lifetimes of a running workspace (aicli.lifetime.*), both off unless set:
 * - idleStop: stopped once it has been idle this long. Idle = no exec session open (a
 *   terminal, Run Command, aicli-ws exec, an agent's exec: any exec the engine reports, but the
 *   monitor's own process checks and the image's health check) and its CPU under
 *   idleCpuPercent.
 * - maxAge: stopped this long after it was started (the engine's start: a create starts it, a
 *   stop ends the run and the next start begins a new one). Counted from the start, not the
 *   create, because the risk is a box that runs for ever: since the create, an old workspace
 *   would be stopped again at every start and could only be made new, losing what it holds.
 * Only running workspaces count: a paused one runs nothing (and is often paused on purpose by
 * a breach response, whose evidence a stop would end), and its idle clock starts again at the
 * unpause.
 */
export type LifetimeRule = 'idleStop' | 'maxAge';

export interface LifetimeSettings {
  /** Off when undefined. */
  idleStopMs?: number;
  maxAgeMs?: number;
}

/**
 * Under this CPU % the workspace is idle, in the engine's terms (docker stats): 100 = one CPU
 * busy. Of one CPU, not of the workspace's quota: idle is an amount of work, and 1 % of a
 * 16-CPU allowance would be 16 % of a core, a build step that should count as work.
 */
export const idleCpuPercent = 1;

/**
 * CPU is judged over windows rather than sample by sample: a window is busy once the CPU time
 * used in it reaches idleCpuPercent of the window (1 % of 10 s = 100 ms), and is judged the
 * moment it does. So a process check or health check (a few ms of sh) never counts as work,
 * while anything that keeps a core even a little busy shows within seconds. Shorter for short
 * idle limits (tests use seconds), so a busy window is seen before the limit runs out.
 */
export function cpuWindowMs(idleStopMs: number): number {
  return Math.min(10_000, Math.max(1000, Math.floor(idleStopMs / 4)));
}

/** The notice comes this long before the stop: a minute, or half the limit when that is shorter. */
export function warningLeadMs(limitMs: number): number {
  return Math.min(60_000, Math.floor(limitMs / 2));
}

/** A lifetime setting: "", "off" or "0" turn it off; else a duration such as 30m, 2h, 7d. */
export function parseLifetime(text: string | undefined, setting: string): number | undefined {
  const trimmed = (text ?? '').trim();
  if (trimmed === '' || trimmed === 'off' || trimmed === '0') return undefined;
  try {
    const ms = parseDuration(trimmed, setting);
    return ms > 0 ? ms : undefined;
  } catch {
    throw new InputError(setting, `${setting}: "${text}" is not a duration; use e.g. 30m, 2h or 7d (or "off").`);
  }
}

const spans: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** "45 s", "30 min", "2 h 5 min", "7 d": the largest unit and the next, for notices. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000)) * 1000;
  const first = spans.findIndex(([size]) => seconds >= size);
  if (first < 0) return '0 s';
  const [size, unit] = spans[first]!;
  const text = `${Math.floor(seconds / size)} ${unit}`;
  const next = spans[first + 1];
  const more = next ? Math.floor((seconds % size) / next[0]) : 0;
  return more > 0 && next ? `${text} ${more} ${next[1]}` : text;
}
