// @ts-check
// The base image's root file system: its layout (folders, a few /etc files, busybox and a
// symlink per applet), laid out in a temporary folder and packed by the system's GNU tar
// from an explicit, ordered file list (no recursion), with owners, modes and mtime set.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { which } from './util.mjs';

/**
 * @typedef {{ type: 'dir', name: string, mode?: number, uid?: number, gid?: number }} DirEntry
 * @typedef {{ type: 'file', name: string, mode?: number, uid?: number, gid?: number, data?: string, source?: string }} FileEntry
 *   data: the content; source: a file to copy instead
 * @typedef {{ type: 'symlink', name: string, target: string, uid?: number, gid?: number }} LinkEntry
 * @typedef {DirEntry | FileEntry | LinkEntry} Entry
 */

const DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'proc', 'sys', 'dev', 'var/log'];

/** @param {string} busybox @returns {FileEntry[]} */
function baseFiles(busybox) {
  return [
    { type: 'file', name: 'bin/busybox', mode: 0o755, source: busybox },
    {
      type: 'file',
      name: 'etc/passwd',
      data: 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    { type: 'file', name: 'etc/group', data: 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' },
    { type: 'file', name: 'etc/shadow', mode: 0o640, data: 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\n' },
    { type: 'file', name: 'etc/os-release', data: 'NAME="aicli base (busybox)"\nID=aicli-busybox\n' },
  ];
}

/**
 * Every entry of the base rootfs, parents before children: folders (sorted), files, then
 * one symlink to /bin/busybox per applet.
 * @param {string} busybox the static busybox binary to copy in
 * @param {string[]} applets applet paths relative to / (`bin/sh`)
 * @returns {Entry[]}
 */
export function rootfsEntries(busybox, applets) {
  /** @type {Map<string, DirEntry>} */
  const dirs = new Map();
  /** @type {(name: string, extra?: Partial<DirEntry>) => void} */
  const addDir = (name, extra = {}) => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!dirs.has(parent)) dirs.set(parent, { type: 'dir', name: parent });
    }
    dirs.set(name, { type: 'dir', name, ...dirs.get(name), ...extra });
  };
  for (const d of DIRS) addDir(d);
  addDir('tmp', { mode: 0o1777 });
  addDir('var/tmp', { mode: 0o1777 });
  addDir('root', { mode: 0o700 });
  addDir('home/user', { uid: 1000, gid: 1000 });
  addDir('workspace', { uid: 1000, gid: 1000 });
  /** @type {LinkEntry[]} */
  const links = [];
  const seen = new Set(['bin/busybox']);
  for (const a of applets) {
    // skip applets outside a directory (e.g. `linuxrc`) and anything odd
    if (seen.has(a) || a.includes('..') || !a.includes('/')) continue;
    seen.add(a);
    const dir = path.posix.dirname(a);
    if (dir !== '.' && !dirs.has(dir)) addDir(dir);
    links.push({ type: 'symlink', name: a, target: '/bin/busybox' });
  }
  const sortedDirs = [...dirs.values()].sort((a, b) => a.name.localeCompare(b.name));
  return [...sortedDirs, ...baseFiles(busybox), ...links];
}

/**
 * Creates `entries` under `root` with their modes (owners are tar's job: see packRootfs).
 * @param {string} root
 * @param {Entry[]} entries
 */
function layOut(root, entries) {
  for (const e of entries) {
    const p = path.join(root, e.name);
    if (e.type === 'dir') {
      fs.mkdirSync(p, { recursive: true });
      fs.chmodSync(p, e.mode ?? 0o755);
    } else if (e.type === 'file') {
      if (e.source) fs.copyFileSync(e.source, p);
      else fs.writeFileSync(p, e.data ?? '');
      fs.chmodSync(p, e.mode ?? 0o644);
    } else {
      fs.symlinkSync(e.target, p);
    }
  }
}

/** @returns {string} GNU tar (gtar, else tar): the flags below are GNU's */
function gnuTar() {
  for (const name of ['gtar', 'tar']) {
    const tar = which(name);
    if (tar && /GNU tar/.test(spawnSync(tar, ['--version'], { encoding: 'utf8' }).stdout ?? '')) return tar;
  }
  throw new Error('building the base image needs GNU tar (Debian/Ubuntu: `sudo apt-get install tar`; macOS: `brew install gnu-tar`)');
}

/** @param {Entry} e @returns {string} `uid:gid` */
const ownerOf = (e) => `${e.uid ?? 0}:${e.gid ?? 0}`;

/**
 * Packs `entries` (laid out under `root`) into `tarFile` in their order, one tar run per
 * owner (the first creates, the next append), since tar sets one owner for a whole run.
 * @param {string} root
 * @param {Entry[]} entries
 * @param {string} tarFile
 */
function packRootfs(root, entries, tarFile) {
  const tar = gnuTar();
  const mtime = Math.floor(Date.now() / 1000);
  const owners = [...new Set(entries.map(ownerOf))].sort((a, b) => (a === '0:0' ? -1 : b === '0:0' ? 1 : a.localeCompare(b)));
  owners.forEach((owner, i) => {
    const [uid, gid] = owner.split(':').map(Number);
    const names = entries.filter((e) => ownerOf(e) === owner).map((e) => e.name);
    const args = [i === 0 ? '--create' : '--append', '--file', tarFile, '--directory', root, '--format=ustar', '--no-recursion'];
    args.push(`--owner=${uid ? 'user' : 'root'}:${uid}`, `--group=${gid ? 'user' : 'root'}:${gid}`, `--mtime=@${mtime}`);
    args.push('--null', '--verbatim-files-from', '--files-from=-');
    const r = spawnSync(tar, args, { input: names.map((n) => `${n}\0`).join(''), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tar} ${args.slice(0, 1).join(' ')} of the base rootfs failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
  });
}

/**
 * Lays out the base rootfs in a temporary folder, packs it into a tar file there and calls
 * `fn(tarFile)`; removes the folder afterwards.
 * @template T
 * @param {Entry[]} entries
 * @param {(tarFile: string) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withRootfsTar(entries, fn) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aicli-rootfs-'));
  try {
    const root = path.join(tmp, 'rootfs');
    fs.mkdirSync(root);
    layOut(root, entries);
    const tarFile = path.join(tmp, 'rootfs.tar');
    packRootfs(root, entries, tarFile);
    return await fn(tarFile);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
