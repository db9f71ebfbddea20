import { InputError } from './errors';
import { EngineInfo } from './connection';
import { defaultEngineName } from './engines';
import { securityFeatures } from './report';

export type PlacementPolicy = 'default' | 'least-loaded';

/** What placement knows of one engine at the moment of a create. */
export interface PlacementCandidate {
  name: string;
  /** Undefined when the engine did not answer; `error` says why. */
  info?: EngineInfo;
  error?: string;
  /** Running managed workspaces on it. */
  running: number;
}

/** What an engine lacks that every isolation level relies on (empty: it can host workspaces). */
export function engineShortcomings(info: EngineInfo): string[] {
  const missing: string[] = [];
  if (info.MemoryLimit === false) missing.push('memory limits (the kernel has no memory cgroup)');
  if (info.PidsLimit === false) missing.push('pids limits');
  if (!securityFeatures(info).seccomp) missing.push('seccomp');
  return missing;
}

/**
 * Picks the engine for a new workspace. `default` keeps it on the default engine (refusing
 * with the reason when that one cannot take it, rather than moving it silently);
 * `least-loaded` takes the engine with the fewest running workspaces per CPU among those
 * that answer and can isolate, the default engine winning a tie.
 */
export function choosePlacement(candidates: PlacementCandidate[], policy: PlacementPolicy): { name: string; reason: string } {
  const refusals: string[] = [];
  const eligible: (PlacementCandidate & { load: number })[] = [];
  for (const candidate of candidates) {
    if (!candidate.info) {
      refusals.push(`${candidate.name}: ${candidate.error ?? 'does not answer'}`);
      continue;
    }
    const missing = engineShortcomings(candidate.info);
    if (missing.length) {
      refusals.push(`${candidate.name}: cannot enforce ${missing.join(', ')}`);
      continue;
    }
    eligible.push({ ...candidate, load: candidate.running / Math.max(1, candidate.info.NCPU ?? 1) });
  }
  const explain = (): string => (refusals.length ? ` (${refusals.join('; ')})` : '');
  if (policy === 'default') {
    if (eligible.some((candidate) => candidate.name === defaultEngineName)) return { name: defaultEngineName, reason: 'placement: default' };
    throw new InputError('engine', `The default engine cannot take the workspace${explain()}; choose another engine or set aicli.placement to least-loaded.`);
  }
  if (eligible.length === 0) throw new InputError('engine', `No engine can take the workspace${explain()}.`);
  eligible.sort((a, b) => a.load - b.load || Number(b.name === defaultEngineName) - Number(a.name === defaultEngineName) || a.name.localeCompare(b.name));
  const chosen = eligible[0] as (typeof eligible)[number];
  return { name: chosen.name, reason: `least loaded: ${chosen.running} running on ${chosen.info?.NCPU ?? '?'} CPUs` };
}
