import { EngineLog } from '../engine/connection';
import { Disposable } from '../engine/emitter';
import { ContainerInspectInfo } from '../engine/types';
import { normalizeProtectedPaths, projectTarget } from '../isolation/projectMount';
import { AlertInput } from './alerts';
import { FolderWatch, PathChange } from './folderWatch';
import { MonitoredWorkspace } from './scope';

export const protectedPathRule = (path: string): string => `protected:${path}`;

/** The folder a container shares with this machine: the source of its /workspace bind. */
export function sharedFolderOf(info: Pick<ContainerInspectInfo, 'Mounts'>): string | undefined {
  const mount = (info.Mounts ?? []).find((candidate) => candidate.Destination === projectTarget);
  return mount?.Type === 'bind' ? mount.Source : undefined;
}

/** The protected paths no read-only mount of the container covers (they did not exist at create). */
export function unmountedPaths(info: Pick<ContainerInspectInfo, 'Mounts'>, paths: readonly string[]): string[] {
  const readOnly = (info.Mounts ?? [])
    .filter((mount) => mount.Type === 'bind' && !mount.RW && mount.Destination.startsWith(`${projectTarget}/`))
    .map((mount) => mount.Destination.slice(projectTarget.length + 1));
  return paths.filter((path) => !readOnly.some((mounted) => path === mounted || path.startsWith(`${mounted}/`)));
}

/** Why each well-known path matters, and what to look at. */
const hints: Record<string, string> = {
  '.git':
    'git runs commands named in .git/config (core.fsmonitor, aliases, filters) and in .git/hooks: look at both before you run git in this folder (VS Code’s Git runs `git status` by itself).',
  '.vscode': 'VS Code applies .vscode/settings.json and offers .vscode/tasks.json and launch.json: look at them before you trust this folder.',
  '.devcontainer': 'Dev Containers run the commands in devcontainer.json when the folder is reopened in a container: look at it first.',
  '.envrc': 'direnv runs it in your shell when you enter the folder: look at it before `direnv allow`.',
};
const defaultHint = 'look at its content before anything on the host uses it.';

const happened: Record<PathChange['kind'], string> = {
  present: 'exists in',
  appeared: 'appeared in',
  changed: 'changed in',
  removed: 'was removed from',
};

/** The critical alert for one protected path of a running workspace. */
export function protectedPathAlert(workspace: MonitoredWorkspace, folder: string, change: PathChange): AlertInput {
  const hint = hints[change.path.split('/')[0] ?? ''] ?? defaultHint;
  const why =
    change.kind === 'present'
      ? 'It is not read-only in the box (it appeared after the workspace was created, or joined aicli.workspace.protectedPaths since), so the box may have written it.'
      : 'It did not exist when the workspace was created, so it is not read-only in the box: the box may have done this.';
  return {
    workspace,
    rule: protectedPathRule(change.path),
    type: 'security_breach',
    severity: 'critical',
    policyItem: 'protectedPaths',
    conditionAt: change.at,
    message: `Protected path ${change.path} ${happened[change.kind]} ${folder} while workspace ${workspace.name} runs. ${why} Check it: ${hint} If you made it yourself, recreate the workspace to protect it.`,
  };
}

function isGoodEntry(entry: string): boolean {
  try {
    normalizeProtectedPaths([entry]);
    return true;
  } catch {
    return false;
  }
}

export interface ProtectedPathInput {
  running: boolean;
  /** The engine runs on this machine, so a bind's source is a folder here. */
  localEngine: boolean;
  protectedPaths: readonly string[];
}

/**
 * The folder watches of one monitor: one per running workspace whose folder is bind-mounted
 * from this machine, over the protected paths its mounts do not cover. A remote engine's
 * workspace works on a copy in a volume, so there is nothing of the host's to watch.
 */
export class ProtectedPathWatches implements Disposable {
  private readonly watches = new Map<string, { key: string; watch: FolderWatch }>();
  private lastBadEntries = '';

  constructor(
    private readonly raise: (input: AlertInput) => void,
    private readonly log: EngineLog,
  ) {}

  /** After each audit of a container: starts, keeps or stops its watch. */
  update(workspace: MonitoredWorkspace, info: Pick<ContainerInspectInfo, 'Mounts'>, input: ProtectedPathInput): void {
    const folder = input.running && input.localEngine ? sharedFolderOf(info) : undefined;
    const paths = folder ? unmountedPaths(info, this.protectedPathsOf(input.protectedPaths)) : [];
    if (!folder || paths.length === 0) {
      this.stop(workspace.containerId);
      return;
    }
    const key = JSON.stringify([folder, paths]);
    if (this.watches.get(workspace.containerId)?.key === key) return;
    this.stop(workspace.containerId);
    const watch = new FolderWatch(folder, paths, (change) => this.raise(protectedPathAlert(workspace, folder, change)));
    this.watches.set(workspace.containerId, { key, watch });
    watch.start();
    this.log.trace(`monitor: watching ${paths.join(', ')} in ${folder} for ${workspace.name}`);
  }

  /** The good entries of the setting: create refuses bad ones; here they are only said once in the log. */
  private protectedPathsOf(entries: readonly string[]): string[] {
    const bad = entries.filter((entry) => !isGoodEntry(entry));
    const said = bad.join('\0');
    if (bad.length && said !== this.lastBadEntries)
      this.log.warn(`monitor: aicli.workspace.protectedPaths entries left out: ${bad.map((entry) => JSON.stringify(entry)).join(', ')}`);
    this.lastBadEntries = said;
    return normalizeProtectedPaths(entries.filter(isGoodEntry));
  }

  stop(containerId: string): void {
    this.watches.get(containerId)?.watch.dispose();
    this.watches.delete(containerId);
  }

  dispose(): void {
    for (const containerId of [...this.watches.keys()]) this.stop(containerId);
  }
}
