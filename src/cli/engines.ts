import { homedir } from 'node:os';
import { formatBytes } from '../engine/bytes';
import { EngineConnection, EngineInfo } from '../engine/connection';
import { choosePlacement } from '../engine/placement';
import { defaultEngineName, EngineEntry, parseEngineEntries, targetForEntry } from '../engine/engines';
import { toEngineError } from '../engine/errors';
import { EngineTarget } from '../engine/target';
import { labels } from '../workspace/model';
import { UsageError } from './args';
import { table } from './output';

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

interface EngineRow {
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

async function probe(name: string, target: () => EngineTarget): Promise<EngineRow> {
  let host = '?';
  try {
    const resolved = target();
    host = resolved.host;
    const connection = await EngineConnection.connect(resolved);
    const [info, running] = await Promise.all([
      connection.info(),
      connection.call('list workspaces', (docker) =>
        docker.listContainers({ filters: JSON.stringify({ label: [`${labels.managed}=true`], status: ['running'] }) }),
      ),
    ]);
    return { name, host, state: 'up', info, version: connection.engineVersion.Version, running: running.length, cpus: info.NCPU, memoryBytes: info.MemTotal };
  } catch (err) {
    return { name, host, state: 'down', error: toEngineError(err, host).userMessage };
  }
}

/** Every engine probed at once, so one unreachable engine does not hold up the others. */
function probeAll(defaultTarget: () => EngineTarget, timeoutMs: number): Promise<EngineRow[]> {
  return Promise.all([
    probe(defaultEngineName, defaultTarget),
    ...cliEngineEntries().map((entry) => probe(entry.name, () => targetForEntry(entry, timeoutMs))),
  ]);
}

/** `--engine auto`: the least-loaded engine that can isolate (see choosePlacement). */
export async function placeWorkspace(defaultTarget: () => EngineTarget, timeoutMs: number): Promise<{ name: string; reason: string }> {
  const rows = await probeAll(defaultTarget, timeoutMs);
  return choosePlacement(
    rows.map((row) => ({ name: row.name, info: row.info, error: row.error, running: row.running ?? 0 })),
    'least-loaded',
  );
}

/** `aicli-ws engines`. */
export async function enginesCommand(defaultTarget: () => EngineTarget, timeoutMs: number, json: boolean): Promise<number> {
  const rows = await probeAll(defaultTarget, timeoutMs);
  if (json)
    console.log(
      JSON.stringify(
        rows.map(({ info: _info, ...row }) => row),
        null,
        2,
      ),
    );
  else {
    console.log(
      table(
        ['ENGINE', 'HOST', 'STATE', 'VERSION', 'RUNNING', 'CPUS', 'MEMORY'],
        rows.map((r) => [
          r.name,
          r.host,
          r.state,
          r.version ?? '',
          r.running === undefined ? '' : String(r.running),
          r.cpus ? String(r.cpus) : '',
          r.memoryBytes ? formatBytes(r.memoryBytes) : '',
        ]),
      ),
    );
    rows.filter((r) => r.error).forEach((r) => console.error(`${r.name}: ${r.error}`));
  }
  return rows.every((row) => row.state === 'up') ? 0 : 1;
}
