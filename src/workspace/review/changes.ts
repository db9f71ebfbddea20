import { HostEntry, hostChildren, hostEntry, hostFileHash, hostFilesBelow } from './hostSide';
import { baselineOf, ReviewState } from './state';
import { UpperEntry } from './upper';

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'mode' | 'typechange';

/** The box's side of a change (absent for a deletion). */
export type BoxSide =
  { type: 'file'; mode: number; size: number; sha256: string } | { type: 'symlink'; mode: number; target: string } | { type: 'dir'; mode: number };

/** One path the box changed against the folder, as `git diff` would list it. */
export interface Change {
  path: string;
  kind: ChangeKind;
  box?: BoxSide;
  host?: HostEntry;
  /** Under one of aicli.workspace.protectedPaths: listed apart, never part of "apply all". */
  protected: boolean;
  /** The folder's copy changed since the box last saw it: applying would overwrite the user's edit. */
  conflict: boolean;
  binary: boolean;
}

export interface ChangeInput {
  folder: string;
  entries: UpperEntry[];
  state: ReviewState;
  protectedPaths: readonly string[];
  /** Whether the box's view still has `path` (asked of the engine, for directories the box replaced wholesale). */
  boxHas: (path: string) => Promise<boolean>;
}

const within = (path: string, ancestor: string): boolean => path === ancestor || path.startsWith(`${ancestor}/`);
const hasNul = (bytes: Buffer | undefined): boolean => !!bytes && bytes.includes(0);

function boxSideOf(entry: UpperEntry): BoxSide | undefined {
  if (entry.type === 'file') return { type: 'file', mode: entry.mode, size: entry.size, sha256: entry.sha256 };
  if (entry.type === 'symlink') return { type: 'symlink', mode: entry.mode, target: entry.target };
  if (entry.type === 'dir') return { type: 'dir', mode: entry.mode };
  return undefined;
}

/** How a file or link the box has compares with the folder's; undefined when they are the same. */
async function compare(folder: string, entry: UpperEntry & { type: 'file' | 'symlink' }, host: HostEntry | undefined): Promise<ChangeKind | undefined> {
  if (!host) return 'added';
  if (host.type !== entry.type) return 'typechange';
  if (entry.type === 'symlink') return host.type === 'symlink' && host.target === entry.target ? undefined : 'modified';
  if (host.type !== 'file') return 'typechange';
  if (host.size !== entry.size || (await hostFileHash(folder, entry.path)) !== entry.sha256) return 'modified';
  return host.mode === entry.mode ? undefined : 'mode';
}

/**
 * The folder's paths the box no longer has under directories it replaced: below a whiteout, or
 * in a directory that hides the folder's (an "opaque" one: removed and made again in the box).
 */
/**
 * Whether a directory of the upper layer may hide the folder's (be "opaque": removed and made
 * again in the box) — only then is the engine asked. It cannot when it holds a whiteout (those
 * are only needed where the folder's entries show through), nor when its time is from before the
 * create: a copy-up keeps the folder's time, a directory made in the box is younger than the box.
 */
function mayBeOpaque(dir: UpperEntry & { type: 'dir' }, createdAt: number, withWhiteouts: Set<string>): boolean {
  if (withWhiteouts.has(dir.path)) return false;
  // Tar keeps whole seconds: compare with the second of the create.
  return dir.mtimeMs >= Math.floor(createdAt / 1000) * 1000;
}

/** How many of those questions go to the engine at once (bench/review: 1,000 directories). */
const probeBatch = 32;

async function hiddenBelow(input: ChangeInput, upperPaths: Set<string>): Promise<string[]> {
  const hidden: string[] = [];
  const probes: { dir: string; probe: string }[] = [];
  const withWhiteouts = new Set(input.entries.filter((entry) => entry.type === 'whiteout').map((entry) => entry.path.split('/').slice(0, -1).join('/')));
  for (const entry of input.entries) {
    if (entry.type === 'whiteout' && hostEntry(input.folder, entry.path)?.type === 'dir') hidden.push(...hostFilesBelow(input.folder, entry.path));
    if (entry.type !== 'dir' || hostEntry(input.folder, entry.path)?.type !== 'dir' || !mayBeOpaque(entry, input.state.createdAt, withWhiteouts)) continue;
    const probe = hostChildren(input.folder, entry.path).find((name) => !upperPaths.has(`${entry.path}/${name}`));
    if (probe !== undefined) probes.push({ dir: entry.path, probe: `${entry.path}/${probe}` });
  }
  // One question to the engine per directory the box touched; asked a batch at a time.
  const opaque: string[] = [];
  for (let at = 0; at < probes.length; at += probeBatch) {
    const batch = probes.slice(at, at + probeBatch);
    const present = await Promise.all(batch.map(({ probe }) => input.boxHas(probe)));
    batch.forEach(({ dir }, index) => present[index] || opaque.push(dir));
  }
  for (const dir of opaque) {
    for (const name of hostChildren(input.folder, dir)) {
      const child = `${dir}/${name}`;
      if (upperPaths.has(child)) continue;
      if (hostEntry(input.folder, child)?.type === 'dir') hidden.push(...hostFilesBelow(input.folder, child).filter((path) => !upperPaths.has(path)));
      else hidden.push(child);
    }
  }
  return hidden;
}

/** Every change of the box against the folder, sorted by path. Directories themselves are not changes (git's view). */
export async function computeChanges(input: ChangeInput): Promise<Change[]> {
  const upperPaths = new Set(input.entries.map((entry) => entry.path));
  const make = (path: string, kind: ChangeKind, host: HostEntry | undefined, box: BoxSide | undefined, binary: boolean): Change => ({
    path,
    kind,
    box,
    host,
    binary,
    protected: input.protectedPaths.some((protectedPath) => within(path, protectedPath)),
    conflict: !!host && kind !== 'added' && host.changedAt > baselineOf(input.state, path),
  });
  const changes: Change[] = [];
  for (const entry of input.entries) {
    const host = hostEntry(input.folder, entry.path);
    if (entry.type === 'whiteout') {
      if (host && host.type !== 'dir') changes.push(make(entry.path, 'deleted', host, undefined, false));
    } else if (entry.type === 'dir') {
      if (host && host.type !== 'dir') changes.push(make(entry.path, 'typechange', host, boxSideOf(entry), false));
    } else {
      const kind = await compare(input.folder, entry, host);
      if (kind) changes.push(make(entry.path, kind, host, boxSideOf(entry), entry.type === 'file' && hasNul(entry.head)));
    }
  }
  for (const path of await hiddenBelow(input, upperPaths)) changes.push(make(path, 'deleted', hostEntry(input.folder, path), undefined, false));
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
