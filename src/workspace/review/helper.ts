import { EngineConnection } from '../../engine/connection';
import { gatewayImage } from '../gatewayImage';
import { labels } from '../model';
import { runShortLived } from '../shortLived';
import { reviewerLabels } from './names';
import { helperHostConfig } from './view';

export interface HelperRun {
  workspaceId: string;
  /** What it does, for the log and errors. */
  what: string;
  /** A busybox sh script; the paths come in as "$@" (never spliced into the script). */
  script: string;
  args: string[];
  mounts: { Type: 'volume' | 'bind'; Source: string; Target: string; ReadOnly: boolean }[];
  /** uid:gid; the folder's owner when it writes the folder. */
  user: string;
  capAdd?: string[];
  labels: Record<string, string>;
}

/**
 * Runs one short-lived helper container of review mode (apply, discard) and removes it. It
 * sees only the mounts it is given: a path that climbs out of the folder, or a link in it,
 * lands inside the helper's own (read-only, discarded) filesystem, never on the host.
 */
export async function runHelper(connection: EngineConnection, run: HelperRun): Promise<void> {
  const { code, output } = await runShortLived(
    connection,
    {
      Image: gatewayImage,
      Entrypoint: ['/bin/busybox', 'sh', '-c', run.script, 'aicli-review'],
      Cmd: run.args,
      User: run.user,
      Labels: { ...run.labels, [labels.managed]: reviewerLabels.role, [reviewerLabels.of]: run.workspaceId },
      NetworkDisabled: true,
      HostConfig: helperHostConfig(run.mounts, run.capAdd),
    },
    run.what,
  );
  if (code !== 0) {
    throw new Error(`${run.what} failed (exit ${code}): ${output.trim().split('\n').slice(-5).join(' ') || 'no output'}`);
  }
}
