// @ts-check
// Processes, read from Linux /proc: who a pid is, whether it lives, pid files, stopping a
// process, and every dockerd running on this machine.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_HOST } from './api.mjs';
import { errorCode, sleep } from './util.mjs';

/** @typedef {import('./paths.mjs').EnginePaths} EnginePaths */
/** @typedef {import('./util.mjs').Say} Say */

/** How long a SIGTERMed dockerd gets before SIGKILL. */
export const STOP_TIMEOUT_MS = 15_000;

/**
 * @typedef {object} RunningDockerd
 * @property {number} pid
 * @property {string[]} hosts          where it listens (`fd://` is the default socket)
 * @property {string} dataRoot
 * @property {boolean | null} sameNetns false for throwaway engines (own network namespace), null if unknown
 */

/** @param {number} pid @returns {string | null} the part of /proc/<pid>/stat after `(comm) ` */
function statAfterComm(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2);
  } catch {
    return null;
  }
}

/** @param {number} pid @returns {number | null} its parent's pid */
export function parentPid(pid) {
  const fields = statAfterComm(pid)?.split(' ');
  return fields ? Number(fields[1]) : null;
}

/**
 * { comm, argv } of a live (non-zombie) process, or null. Linux /proc only.
 * @param {number | null} pid
 * @returns {{ comm: string, argv: string[] } | null}
 */
export function procInfo(pid) {
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    const state = statAfterComm(pid)?.slice(0, 1);
    if (state === undefined || state === 'Z' || state === 'X') return null;
    const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { comm, argv };
  } catch {
    return null;
  }
}

/** @returns {number[]} every pid in /proc, [] where there is none */
export function allPids() {
  try {
    return fs
      .readdirSync('/proc')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** @param {number} pid @returns {boolean} true while it runs (a zombie is dead) */
export function isAlive(pid) {
  if (fs.existsSync('/proc/self/stat')) return procInfo(pid) !== null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/** @param {string} file @returns {number | null} the pid a pid file names */
export function readPid(file) {
  try {
    const n = parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** @param {{ comm: string, argv: string[] }} info */
function isDockerd(info) {
  return info.comm === 'dockerd' || path.basename(info.argv[0] || '') === 'dockerd';
}

/**
 * True if `pid` is a live dockerd started with our data-root (guards against pid reuse).
 * @param {number} pid
 * @param {EnginePaths} paths
 */
export function isOurDockerd(pid, paths) {
  const info = procInfo(pid);
  if (!info || !isDockerd(info)) return false;
  return info.argv.some((a) => a === paths.dataRoot || a === `--data-root=${paths.dataRoot}`);
}

/**
 * SIGTERM `pid`, wait until it is gone (up to `graceMs`), then SIGKILL.
 * @param {number} pid
 * @param {{ graceMs?: number, say?: Say, what?: string }} [opts]
 */
export async function terminate(pid, { graceMs = STOP_TIMEOUT_MS, say = () => {}, what = `pid ${pid}` } = {}) {
  const t0 = Date.now();
  try {
    process.kill(pid, 'SIGTERM');
  } catch (e) {
    if (errorCode(e) === 'ESRCH') return;
    throw e;
  }
  while (isAlive(pid)) {
    if (Date.now() - t0 > graceMs) {
      say(`${what} still running after ${graceMs} ms: SIGKILL`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      const t1 = Date.now();
      while (isAlive(pid) && Date.now() - t1 < 5000) await sleep(50);
      break;
    }
    await sleep(50);
  }
}

/** @param {string[]} argv a dockerd's command line @returns {{ hosts: string[], dataRoot: string }} */
function dockerdOptions(argv) {
  const hosts = [];
  let dataRoot = '/var/lib/docker';
  for (let i = 1; i < argv.length; i++) {
    const m = /^(--host|-H|--data-root)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const v = m[2] ?? argv[++i];
    if (m[1] === '--data-root') dataRoot = v;
    else if (v) hosts.push(v.startsWith('fd://') ? DEFAULT_HOST : v);
  }
  if (hosts.length === 0) hosts.push(DEFAULT_HOST);
  return { hosts, dataRoot };
}

/**
 * Live dockerd processes. Linux /proc only; [] elsewhere. sameNetns is false for
 * throwaway engines (own network namespace) and null if it cannot be told.
 * @returns {RunningDockerd[]}
 */
export function runningDockerds() {
  let myNet;
  try {
    myNet = fs.readlinkSync('/proc/self/ns/net');
  } catch {
    return [];
  }
  /** @type {RunningDockerd[]} */
  const found = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const info = procInfo(pid);
    if (!info || !isDockerd(info)) continue;
    /** @type {boolean | null} */
    let sameNetns = null;
    try {
      sameNetns = fs.readlinkSync(`/proc/${pid}/ns/net`) === myNet;
    } catch {
      // exited meanwhile, or not ours to read
    }
    found.push({ pid, ...dockerdOptions(info.argv), sameNetns });
  }
  return found;
}

/** @param {EnginePaths} paths @returns {boolean} true if a dockerd runs on our data root */
export function dockerdOnDataRoot(paths) {
  return runningDockerds().some((d) => d.dataRoot === paths.dataRoot);
}
