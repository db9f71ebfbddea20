import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { AuditSink, auditWorkspace } from '../../audit/sink';
import { EngineConnection } from '../../engine/connection';
import { getArchive, pathExists, putArchive } from '../../engine/containers';
import { InputError } from '../../engine/errors';
import { normalizeProtectedPaths, projectTarget } from '../../isolation/projectMount';
import { labels, Workspace } from '../model';
import { packEntries } from '../pack';
import { Change, computeChanges } from './changes';
import { HelperRun, runHelper } from './helper';
import { hostEntry } from './hostSide';
import { reviewerNameFor, reviewPaths, reviewVolumeFor, viewVolumeFor } from './names';
import { applyScript, discardCapabilities, discardScript } from './scripts';
import { parseReviewState, ReviewState } from './state';
import { readUpper, UpperEntry } from './upper';
import { unifiedDiff } from './unifiedDiff';

export interface ApplyOptions {
  /** Protected paths are applied only when named and allowed, one by one. */
  includeProtected?: boolean;
  /** A conflict (the folder's copy changed since) is applied only when allowed. */
  overwriteConflicts?: boolean;
}

export interface ReviewSnapshot {
  changes: Change[];
  entries: UpperEntry[];
  state: ReviewState;
}

/** Whether the workspace works on a review view (the others have nothing to apply). */
export const inReview = (workspace: Pick<Workspace, 'labels'>): boolean => workspace.labels[labels.mount] === 'review';

/** A path as the user typed it, relative to the folder; refused when it climbs out. */
export function relativePath(folder: string, given: string): string {
  const withoutFolder = given.startsWith(`${folder}/`) ? given.slice(folder.length + 1) : given;
  const parts = withoutFolder.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (posix.isAbsolute(withoutFolder) || parts.includes('..') || parts.length === 0) {
    throw new InputError('path', `"${given}" is not a path inside the project folder ${folder}; give one relative to it, e.g. src/index.ts.`);
  }
  return parts.join('/');
}

/**
 * The box's changes in review mode: listed against the folder, shown, applied to the folder
 * (as its owner, by a helper that sees only the folder and the review volume) or discarded
 * (the box's view gets the folder's copy back). The box itself takes no part in any of it.
 */
export class WorkspaceChanges {
  constructor(
    private readonly connection: () => Promise<EngineConnection>,
    private readonly protectedPaths: () => readonly string[],
    /** Where apply and discard are recorded (review.apply, review.discard). */
    private readonly audit: AuditSink = AuditSink.none,
  ) {}

  async snapshot(workspace: Workspace): Promise<ReviewSnapshot> {
    this.requireReview(workspace);
    const connection = await this.connection();
    const tar = await getArchive(connection, reviewerNameFor(workspace.id), reviewPaths.volume, `read the changes of ${workspace.name}`);
    const { entries, others } = await readUpper(tar, 'u/upper');
    const state = parseReviewState(others.get('u/state.json')?.toString('utf8'), workspace.createdAt.getTime());
    const changes = await computeChanges({
      folder: workspace.folder,
      entries,
      state,
      protectedPaths: normalizeProtectedPaths(this.protectedPaths()),
      boxHas: (path) => pathExists(connection, workspace.containerId, posix.join(projectTarget, path)),
    });
    return { changes, entries, state };
  }

  async list(workspace: Workspace): Promise<Change[]> {
    return (await this.snapshot(workspace)).changes;
  }

  /** `git diff`-style text of the changes (all, or those under the given paths), from one read of the review volume. */
  async diff(workspace: Workspace, paths: string[] = []): Promise<{ changes: Change[]; lines: string[] }> {
    const { changes, entries } = await this.snapshot(workspace);
    const wanted = paths.map((given) => relativePath(workspace.folder, given));
    const shown = wanted.length ? changes.filter((change) => wanted.some((path) => change.path === path || change.path.startsWith(`${path}/`))) : changes;
    const contentOf = (path: string): Buffer | undefined => {
      const entry = entries.find((candidate) => candidate.path === path);
      return entry?.type === 'file' ? entry.content : undefined;
    };
    const lines = shown.flatMap((change) => unifiedDiff(change, this.hostContent(workspace, change.path), contentOf(change.path)));
    return { changes: shown, lines };
  }

  /** The box's bytes at a path (undefined: the box has no file there), read from the review volume. */
  async boxContent(workspace: Workspace, path: string): Promise<Buffer | undefined> {
    this.requireReview(workspace);
    const connection = await this.connection();
    const rel = relativePath(workspace.folder, path);
    const tar = await getArchive(connection, reviewerNameFor(workspace.id), posix.join(reviewPaths.upper, rel)).catch(() => undefined);
    if (!tar) return undefined;
    const { entries } = await readUpper(tar, '');
    const file = entries.find((entry) => entry.type === 'file');
    if (file?.type !== 'file') return undefined;
    if (file.content) return file.content;
    throw new InputError('path', `${rel} is larger than 1 MiB; open it in a terminal of the workspace to see it.`);
  }

  /** The folder's bytes at a path (undefined: none, or not a plain file). */
  hostContent(workspace: Workspace, path: string): Buffer | undefined {
    const rel = relativePath(workspace.folder, path);
    return hostEntry(workspace.folder, rel)?.type === 'file' ? readFileSync(join(workspace.folder, rel)) : undefined;
  }

  /** Applies the named changes (all non-protected, non-conflicting ones when none are named); returns what was applied. */
  apply(workspace: Workspace, paths: string[] | 'all', options: ApplyOptions = {}): Promise<Change[]> {
    return this.recorded('review.apply', workspace, paths, () => this.applyUnrecorded(workspace, paths, options), { ...options });
  }

  private async applyUnrecorded(workspace: Workspace, paths: string[] | 'all', options: ApplyOptions): Promise<Change[]> {
    const { changes, state } = await this.snapshot(workspace);
    const chosen = paths === 'all' ? changes.filter((change) => !change.protected && !change.conflict) : this.pick(workspace, changes, paths);
    for (const change of chosen) {
      if (change.protected && !options.includeProtected) {
        throw new InputError('path', `${change.path} is a protected path (aicli.workspace.protectedPaths): apply it on its own, confirmed by name.`);
      }
      if (change.conflict && !options.overwriteConflicts) {
        throw new InputError(
          'path',
          `${change.path} was changed in the folder since the workspace saw it: applying would overwrite that edit. Confirm to overwrite it.`,
        );
      }
    }
    // As the folder's owner, seeing the review volume (read-only) and the folder: nothing else.
    return this.settle(workspace, state, chosen, 'apply', {
      script: applyScript,
      user: hostOwner(workspace.folder),
      mounts: [
        { Type: 'volume', Source: reviewVolumeFor(workspace.id), Target: reviewPaths.volume, ReadOnly: true },
        { Type: 'bind', Source: workspace.folder, Target: reviewPaths.folder, ReadOnly: false },
      ],
    });
  }

  /** Gives the box's view the folder's copy of the named changes (all when none are named). */
  discard(workspace: Workspace, paths: string[] | 'all'): Promise<Change[]> {
    return this.recorded('review.discard', workspace, paths, () => this.discardUnrecorded(workspace, paths));
  }

  /** What was asked for and what was done (the paths settled), or why not. */
  private recorded(
    type: 'review.apply' | 'review.discard',
    workspace: Workspace,
    paths: string[] | 'all',
    run: () => Promise<Change[]>,
    values: Record<string, unknown> = {},
  ): Promise<Change[]> {
    const settled = (done: Change[]) => ({ paths: done.map((change) => change.path), count: done.length });
    return this.audit.action(type, auditWorkspace(workspace), { requested: paths, ...values }, run, settled);
  }

  private async discardUnrecorded(workspace: Workspace, paths: string[] | 'all'): Promise<Change[]> {
    const { changes, state } = await this.snapshot(workspace);
    const chosen = paths === 'all' ? changes : this.pick(workspace, changes, paths);
    // As root with only the file capabilities, seeing the view and the folder (read-only).
    return this.settle(workspace, state, chosen, 'discard', {
      script: discardScript,
      user: '0:0',
      capAdd: discardCapabilities,
      mounts: [
        { Type: 'volume', Source: viewVolumeFor(workspace.id), Target: reviewPaths.view, ReadOnly: false },
        { Type: 'bind', Source: workspace.folder, Target: reviewPaths.folder, ReadOnly: true },
      ],
    });
  }

  /** Runs apply's or discard's helper on the chosen changes, then records them as in line with the folder. */
  private async settle(
    workspace: Workspace,
    state: ReviewState,
    chosen: Change[],
    verb: 'apply' | 'discard',
    helper: Pick<HelperRun, 'script' | 'user' | 'capAdd' | 'mounts'>,
  ): Promise<Change[]> {
    if (chosen.length === 0) return [];
    const connection = await this.connection();
    await runHelper(connection, {
      ...helper,
      workspaceId: workspace.id,
      what: `${verb} ${chosen.length} change(s) of ${workspace.name}`,
      args: chosen.map((change) => change.path),
      labels: policyLabelsOf(workspace),
    });
    await this.markSynced(connection, workspace, state, chosen);
    return chosen;
  }

  /** The named paths among the changes; a path that did not change, or is outside the folder, is refused. */
  private pick(workspace: Workspace, changes: Change[], paths: string[]): Change[] {
    return paths.map((given) => {
      const rel = relativePath(workspace.folder, given);
      const change = changes.find((candidate) => candidate.path === rel);
      if (!change) throw new InputError('path', `${rel} has no change in ${workspace.name}; run diff to see what changed.`);
      return change;
    });
  }

  private async markSynced(connection: EngineConnection, workspace: Workspace, state: ReviewState, changes: Change[]): Promise<void> {
    const now = Date.now() + 1000;
    const next: ReviewState = { ...state, synced: { ...state.synced, ...Object.fromEntries(changes.map((change) => [change.path, now])) } };
    const tar = packEntries([{ header: { name: 'state.json', type: 'file', mode: 0o600, uid: 0, gid: 0 }, content: JSON.stringify(next) }]);
    await putArchive(connection, reviewerNameFor(workspace.id), tar, reviewPaths.volume, `record the review of ${workspace.name}`);
  }

  private requireReview(workspace: Workspace): void {
    if (!inReview(workspace)) {
      const mode = workspace.labels[labels.mount] ?? 'bind';
      throw new InputError(
        'workspace',
        `${workspace.name} works on ${mode === 'copy' ? 'a copy' : 'the folder itself'} (mount ${mode}), not a review view: it has no changes to review.`,
      );
    }
  }
}

function hostOwner(folder: string): string {
  const { uid, gid } = statSync(folder);
  return `${uid}:${gid}`;
}

/** The labels a workspace got from its policy (test runs tag theirs), for the helpers it runs. */
function policyLabelsOf(workspace: Workspace): Record<string, string> {
  return Object.fromEntries(Object.entries(workspace.labels).filter(([key]) => !key.startsWith('aicli.workspace.') && key !== labels.managed));
}
