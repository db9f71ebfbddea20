// @ts-check
// What a SIGKILLed dockerd of ours leaves behind: its containerd, container shims and
// their containers, and bind/overlay mounts under its data root.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { allPids, dockerdOnDataRoot, parentPid, procInfo, readPid } from './processes.mjs';
import { which } from './util.mjs';

/** @typedef {import('./paths.mjs').EnginePaths} EnginePaths */
/** @typedef {import('./util.mjs').Say} Say */

/** @param {EnginePaths} paths @returns {string} the managed containerd's pid file */
export function containerdPidFile(paths) {
  return path.join(paths.execRoot, 'containerd', 'containerd.pid');
}

/** @param {string} field a /proc/self/mounts field @returns {string} with \040 etc. decoded */
function unescapeMountField(field) {
  return field.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * A killed dockerd leaves its data-root bind mount (and container overlay mounts) behind;
 * harmless for the next start, but they block deleting the directory. Unmounts them once
 * no dockerd of ours uses the data root.
 * @param {EnginePaths} paths
 * @param {Say} say
 */
export function unmountLeftovers(paths, say) {
  if (dockerdOnDataRoot(paths)) return;
  let mounts;
  try {
    mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => unescapeMountField(l.split(' ')[1] || ''))
      .filter((m) => m === paths.dataRoot || m.startsWith(`${paths.dataRoot}/`));
  } catch {
    return;
  }
  const umount = which('umount');
  if (mounts.length === 0 || !umount) return;
  mounts.sort((a, b) => b.length - a.length); // deepest first
  for (const m of mounts) spawnSync(umount, [m], { stdio: 'ignore' });
  say(`unmounted ${mounts.length} leftover mount(s) under ${paths.dataRoot}`);
}

/**
 * SIGKILLs container processes (and their shims) left behind by a killed containerd of ours.
 * @param {EnginePaths} paths
 * @param {Say} say
 */
export function killLeftoverContainers(paths, say) {
  const entries = allPids();
  const shims = entries.filter((pid) => {
    const info = procInfo(pid);
    return info && info.comm.startsWith('containerd-shim') && info.argv.some((a) => a.startsWith(`${paths.execRoot}/`));
  });
  if (shims.length === 0) return;
  const shimSet = new Set(shims);
  const children = entries.filter((pid) => {
    const parent = parentPid(pid);
    return parent !== null && shimSet.has(parent);
  });
  say(`killing ${children.length} leftover container process(es) and ${shims.length} shim(s)`);
  // a container's init is the shim's child; killing it ends its whole pid namespace
  for (const pid of [...children, ...shims]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Pids of live containerd processes whose command line points into our exec-root.
 * @param {EnginePaths} paths
 * @returns {number[]}
 */
export function leftoverContainerds(paths) {
  /** @type {Set<number>} */
  const pids = new Set();
  for (const pid of [readPid(containerdPidFile(paths)), ...allPids()]) {
    if (pid === null) continue;
    const info = procInfo(pid);
    if (info && info.comm === 'containerd' && info.argv.some((a) => a.startsWith(`${paths.execRoot}/`))) pids.add(pid);
  }
  return [...pids];
}
