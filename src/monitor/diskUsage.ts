import { formatBytes } from '../engine/bytes';
import { EngineConnection } from '../engine/connection';
import { inspectContainerWithSize } from '../engine/containers';
import { AuditFinding } from './audit';

/**
 * The disk limit check: how much of its limit (aicli.resources.disk, the engine's
 * StorageOpt.size) a box's own files take, by the engine's own count (inspect with size:
 * SizeRw, the writable layer). When the limit is reached, writes in the box fail with "No
 * space left on device" or "Disk quota exceeded"; nothing outside the box can see that
 * happen, so the monitor looks at the count instead.
 *
 * When: with the process checks (processScheduler.ts), i.e. when the box's process count
 * settles at a new value — a writer that starts or ends (dd, a build, an untar) does that —
 * and only for a box whose limit the engine enforces. The count walks the writable layer on
 * the engine's side, so it is not made for boxes without a limit.
 */
export const diskRules = ['disk.full'] as const;

/** At or above this share of the limit: an error ("full"); btrfs counts the image's bytes against it too, so full shows a little below 100 %. */
const fullShare = 0.95;
/** At or above this share: a warning ("nearly full"). */
const nearlyFullShare = 0.85;

/** The disk limit of a box as inspect shows it (bytes), or undefined for none. */
export function diskLimitOf(info: { HostConfig?: { StorageOpt?: Record<string, string> | null } }): number | undefined {
  const size = Number(info.HostConfig?.StorageOpt?.size);
  return Number.isFinite(size) && size > 0 ? size : undefined;
}

export function diskFindings(usedBytes: number, limitBytes: number): AuditFinding[] {
  const share = usedBytes / limitBytes;
  if (share < nearlyFullShare) return [];
  const full = share >= fullShare;
  const used = `${formatBytes(usedBytes)} of its ${formatBytes(limitBytes)} limit (${Math.round(share * 100)} %)`;
  return [
    {
      rule: 'disk.full',
      type: 'resource_violation',
      severity: full ? 'error' : 'warning',
      policyItem: 'disk',
      message: full
        ? `The workspace's disk is full: its files take ${used}; writes in it fail. Delete files in the workspace, or recreate it with a larger aicli.resources.disk.`
        : `The workspace's disk is nearly full: its files take ${used}. Writes fail at the limit (aicli.resources.disk).`,
    },
  ];
}

/** One inspect with the size counted; what it found about the disk limit. */
export async function runDiskCheck(connection: EngineConnection, containerId: string): Promise<AuditFinding[] | undefined> {
  const info = await inspectContainerWithSize(connection, containerId);
  const limit = diskLimitOf(info);
  const used = info.SizeRw;
  if (!limit || typeof used !== 'number') return undefined;
  return diskFindings(used, limit);
}
