import { EngineConnection } from '../engine/connection';
import { listContainers } from '../engine/containers';
import { labels } from './model';
import { reviewerLabels } from './review/names';

/** A helper container of ours left by a crash: the data-device probe, or a review helper whose workspace is gone. */
export interface CleanupHelper {
  id: string;
  name: string;
  role: 'probe' | 'reviewer';
}

/**
 * Containers of the short-lived helpers that outlived their run. managed=probe (the data-device
 * probe) is only ever short-lived; managed=reviewer (review's view keeper and its apply/discard
 * runs) is a leftover only when its workspace is gone. A young one may be a run in flight: the
 * grace is measured against the real clock, as for networks.
 */
export async function leftoverHelpers(
  connection: EngineConnection,
  extraLabels: Record<string, string> | undefined,
  workspaceIds: ReadonlySet<string>,
  graceMs: number,
): Promise<CleanupHelper[]> {
  const roles = ['probe', reviewerLabels.role] as const;
  const rows = (
    await Promise.all(
      roles.map((role) => listContainers(connection, { kind: 'any', labels: { ...extraLabels, [labels.managed]: role } }, `list ${role} containers`)),
    )
  ).flat();
  const settledBefore = Date.now() - graceMs;
  return rows
    .filter((row) => row.Created * 1000 <= settledBefore)
    .filter((row) => row.Labels?.[labels.managed] === 'probe' || !workspaceIds.has(row.Labels?.[reviewerLabels.of] ?? ''))
    .map((row) => ({ id: row.Id, name: (row.Names[0] ?? row.Id).replace(/^\//, ''), role: row.Labels?.[labels.managed] === 'probe' ? 'probe' : 'reviewer' }));
}

export function describeHelper(helper: CleanupHelper): string {
  return `leftover helper container ${helper.name} (${helper.role === 'probe' ? "the engine's data-device probe" : 'a review helper whose workspace is gone'})`;
}
