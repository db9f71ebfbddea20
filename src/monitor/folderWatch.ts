import { FSWatcher, lstatSync, readlinkSync, watch } from 'node:fs';
import { join } from 'node:path';
import { Disposable } from '../engine/emitter';

/** `present`: there when the watch began (it did not exist at create, or nobody watched since). */
export type PathChangeKind = 'present' | 'appeared' | 'changed' | 'removed';

export interface PathChange {
  /** Relative to the folder, as given. */
  path: string;
  kind: PathChangeKind;
  at: number;
}

const missing = 'missing';

/** What a path is now, without following links; equal strings mean nothing to report. */
function fingerprintOf(absolute: string): string {
  try {
    const stats = lstatSync(absolute);
    const kind = stats.isSymbolicLink() ? `link→${readlinkSync(absolute)}` : stats.isDirectory() ? 'dir' : 'file';
    return `${kind}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? missing : `unreadable:${code}`;
  }
}

/** The inode of a real directory (not a link to one), else undefined. */
function directoryInode(absolute: string): number | undefined {
  try {
    const stats = lstatSync(absolute);
    return stats.isDirectory() ? stats.ino : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches relative paths of one folder with fs.watch (inotify: no polling) and reports when
 * one appears, changes or goes away. Each path is watched through every folder on its way
 * that exists (the project folder at least: its top-level entries), the path itself
 * included when it is a directory, so files written inside it count too. Watchers follow
 * paths as they appear or are replaced; a burst of events is looked at once, settleMs after
 * its first event.
 */
export class FolderWatch implements Disposable {
  private readonly watchers = new Map<string, { watcher: FSWatcher; inode: number }>();
  private readonly fingerprints = new Map<string, string>();
  private readonly touched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly folder: string,
    readonly paths: readonly string[],
    private readonly onChange: (change: PathChange) => void,
    private readonly settleMs = 50,
  ) {}

  /** Takes the baseline (reporting paths already there) and starts watching. */
  start(): void {
    const at = Date.now();
    for (const path of this.paths) {
      const fingerprint = fingerprintOf(join(this.folder, path));
      this.fingerprints.set(path, fingerprint);
      if (fingerprint !== missing) this.onChange({ path, kind: 'present', at });
    }
    this.rewatch();
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private onEvent(directory: string): void {
    if (this.closed) return;
    // A file written inside a protected directory leaves the directory's own stat alone.
    for (const path of this.paths) if (join(this.folder, path) === directory) this.touched.add(path);
    this.timer ??= setTimeout(() => this.look(), this.settleMs);
  }

  private look(): void {
    this.timer = undefined;
    if (this.closed) return;
    const at = Date.now();
    for (const path of this.paths) {
      const before = this.fingerprints.get(path) ?? missing;
      const now = fingerprintOf(join(this.folder, path));
      this.fingerprints.set(path, now);
      if (now === before && !this.touched.has(path)) continue;
      this.onChange({ path, kind: before === missing ? 'appeared' : now === missing ? 'removed' : 'changed', at });
    }
    this.touched.clear();
    this.rewatch();
  }

  /** The folders to watch now, with their inodes: each existing folder on the way to each path. */
  private wanted(): Map<string, number> {
    const wanted = new Map<string, number>();
    const folderInode = directoryInode(this.folder);
    if (folderInode !== undefined) wanted.set(this.folder, folderInode);
    for (const path of this.paths) {
      let directory = this.folder;
      for (const part of path.split('/')) {
        directory = join(directory, part);
        const inode = directoryInode(directory);
        if (inode === undefined) break;
        wanted.set(directory, inode);
      }
    }
    return wanted;
  }

  private rewatch(): void {
    const wanted = this.wanted();
    for (const [directory, { watcher, inode }] of this.watchers) {
      // A directory replaced under the same name needs a new watcher: the old one sees the old inode.
      if (wanted.get(directory) === inode) continue;
      watcher.close();
      this.watchers.delete(directory);
    }
    for (const [directory, inode] of wanted) {
      if (this.watchers.has(directory)) continue;
      try {
        // Not persistent: a watch must never keep the CLI (or a test) alive.
        const watcher = watch(directory, { persistent: false }, () => this.onEvent(directory));
        watcher.on('error', () => {
          watcher.close();
          if (this.watchers.get(directory)?.watcher === watcher) this.watchers.delete(directory);
          this.onEvent(directory);
        });
        this.watchers.set(directory, { watcher, inode });
      } catch {
        // Gone between the look and the watch: its parent's watcher reports that.
      }
    }
  }
}
