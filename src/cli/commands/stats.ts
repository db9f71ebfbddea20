import { EngineError, InputError } from '../../engine/errors';
import { ConnectionCounts, readConnections } from '../../monitor/connections';
import { historySample } from '../../monitor/history/recorder';
import { isHistoryRange } from '../../monitor/history/query';
import { formatStatsReport, LatestJson, latestJson, statsReport, StatsReport } from '../../monitor/history/report';
import { MetricsStore } from '../../monitor/history/store';
import { metricsHistoryDir } from '../../monitor/history/location';
import { statsOnce } from '../../monitor/statsOnce';
import { EngineScope } from '../../workspace/scope';
import { single, UsageError } from '../args';
import { Command } from '../command';
import { nameArgument } from '../options';

/** A stored sample this recent is as good as a new one (a window records the workspace) and saves the engine's second. */
const freshMs = 3000;

interface Target {
  workspace: StatsReport['workspace'];
  containerId?: string;
}

/** The workspace on the engine; else, when the engine has none of that name, its stored history (a removed workspace). */
async function findTarget(scope: () => Promise<EngineScope>, name: string, store: MetricsStore): Promise<Target> {
  try {
    const found = await (await scope()).service.find(name);
    return { workspace: { id: found.id, name: found.name, state: found.state }, containerId: found.state === 'running' ? found.containerId : undefined };
  } catch (err) {
    const stored = err instanceof InputError ? store.find(name) : undefined;
    if (!stored) throw err;
    return { workspace: { id: stored.workspaceId, name: stored.name, state: stored.removedAt ? 'removed' : 'not on this engine' } };
  }
}

async function latestOf(scope: () => Promise<EngineScope>, target: Target, store: MetricsStore): Promise<LatestJson | null> {
  const stored = store.latest(target.workspace.id);
  if (stored && (Date.now() - stored.at < freshMs || !target.containerId)) return latestJson(stored, 'history');
  if (target.containerId) {
    const snapshot = await statsOnce(await (await scope()).connection(), target.containerId);
    if (snapshot) return latestJson(historySample(snapshot), 'engine');
  }
  return stored ? latestJson(stored, 'history') : null;
}

/** Counted in the running box by one exec; a box that cannot run it (pids limit, no sh) has none to show. */
async function connectionsOf(scope: () => Promise<EngineScope>, target: Target): Promise<ConnectionCounts | null> {
  if (!target.containerId) return null;
  try {
    return await readConnections(await (await scope()).connection(), target.containerId);
  } catch (err) {
    if (err instanceof EngineError) return null;
    throw err;
  }
}

export const stats: Command = {
  names: ['stats'],
  synopsis: ['NAME [--range 1h|24h|7d] [--json]'],
  description: [
    'The latest sample of a workspace, its connections now (counted in the box) and',
    'its metrics history (1 s for an hour, min/avg/max per minute for 7 days),',
    'recorded while VS Code monitors it; kept in',
    '$AICLI_STATE_DIR/metrics (default: ~/.local/state/aicli-workspaces/metrics)',
  ],
  values: ['--range'],
  async run({ verb, args, scope, json }) {
    const range = single(args, '--range') ?? '1h';
    if (!isHistoryRange(range)) throw new UsageError('--range takes 1h, 24h or 7d.');
    const name = nameArgument(args, verb);
    const store = new MetricsStore({ dir: metricsHistoryDir() });
    const target = await findTarget(scope, name, store);
    const latest = await latestOf(scope, target, store);
    const connections = await connectionsOf(scope, target);
    const report = statsReport(target.workspace, store.dir, latest, connections, store.series(target.workspace.id, range));
    console.log(json ? JSON.stringify(report) : formatStatsReport(report));
    return 0;
  },
};
