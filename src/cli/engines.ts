import { homedir } from 'node:os';
import { EngineInfo } from '../engine/connection';
import { listContainers } from '../engine/containers';
import { choosePlacement } from '../engine/placement';
import { defaultEngineName, EngineEntry, parseEngineEntries, targetForEntry } from '../engine/engines';
import { toEngineError } from '../engine/errors';
import { EngineTarget } from '../engine/target';
import type { EngineScope } from '../workspace/scope';
import { UsageError } from './args';
import { KnownEngines } from './command';

/** The CLI's engines come from AICLI_ENGINES: the same JSON list as the aicli.engines setting. */
export function cliEngineEntries(env: NodeJS.ProcessEnv = process.env): EngineEntry[] {
  if (!env.AICLI_ENGINES?.trim()) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(env.AICLI_ENGINES);
  } catch (err) {
    throw new UsageError(
      `AICLI_ENGINES is not JSON (${(err as Error).message}); it takes a list like [{"name": "build-box", "host": "tcp://build-box:2376", "certPath": "/path/to/certs"}].`,
    );
  }
  const { entries, problems } = parseEngineEntries(raw, homedir());
  if (problems.length) throw new UsageError(`AICLI_ENGINES: ${problems.join(' ')}`);
  return entries;
}

/** --engine NAME picks a configured engine; without it (or with "default") the usual resolution applies. */
export function targetForEngineName(name: string | undefined, defaultTarget: () => EngineTarget, timeoutMs: number): EngineTarget {
  if (name === undefined || name === defaultEngineName) return defaultTarget();
  const entries = cliEngineEntries();
  const entry = entries.find((candidate) => candidate.name === name);
  if (!entry) throw new UsageError(`No engine named "${name}": AICLI_ENGINES has ${entries.map((e) => e.name).join(', ') || 'no engines'}.`);
  return targetForEntry(entry, timeoutMs);
}

export interface EngineRow {
  name: string;
  /** For placement; not printed. */
  info?: EngineInfo;
  host: string;
  state: 'up' | 'down';
  version?: string;
  running?: number;
  cpus?: number;
  memoryBytes?: number;
  error?: string;
}

/** An engine's row, read through a scope on it (kept in `scope` for placement). */
async function probe(name: string, engines: KnownEngines): Promise<EngineRow & { scope?: EngineScope }> {
  let host = '?';
  let scope: EngineScope | undefined;
  try {
    scope = engines.scopeOf(name);
    host = scope.engine.target?.host ?? host;
    const connection = await scope.connection();
    const [info, running] = await Promise.all([connection.info(), listContainers(connection, { running: true }, 'list workspaces')]);
    const version = connection.engineVersion.Version;
    return { name, host, state: 'up', info, version, running: running.length, cpus: info.NCPU, memoryBytes: info.MemTotal, scope };
  } catch (err) {
    if (scope) engines.release(scope);
    return { name, host, state: 'down', error: toEngineError(err, host).userMessage };
  }
}

/** Every engine probed at once, so one unreachable engine does not hold up the others. */
export function probeEngines(engines: KnownEngines): Promise<(EngineRow & { scope?: EngineScope })[]> {
  return Promise.all(engines.names().map((name) => probe(name, engines)));
}

/** `--engine auto`: the scope of the least-loaded engine that can isolate (see choosePlacement); the others are released. */
export async function placeWorkspace(engines: KnownEngines): Promise<{ scope: EngineScope; reason: string }> {
  const rows = await probeEngines(engines);
  const placed = choosePlacement(
    rows.map((row) => ({ name: row.name, info: row.info, error: row.error, running: row.running ?? 0 })),
    'least-loaded',
  );
  for (const row of rows) if (row.scope && row.name !== placed.name) engines.release(row.scope);
  return { scope: rows.find((row) => row.name === placed.name)?.scope as EngineScope, reason: placed.reason };
}
