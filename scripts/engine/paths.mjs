// @ts-check
// Where one dockerd of ours keeps everything: the cache folder, its socket, data and exec
// roots, pid file, log and lock; and the folders of the throwaway engines beside it.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';

/** Unix socket paths are limited to 108 bytes; stay well below. */
const MAX_SOCKET_PATH = 100;

/**
 * @typedef {object} EnginePaths
 * @property {string} dir       the engine's folder (data root, pid file, log, lock)
 * @property {string} runDir    socket and exec root: `dir`, or a short /tmp folder
 * @property {string} socket
 * @property {string} host      `unix://${socket}`
 * @property {string} dataRoot
 * @property {string} execRoot  holds the managed containerd's sockets and pid file
 * @property {string} pidfile
 * @property {string} logFile
 * @property {string} lockFile
 */

/** `${XDG_CACHE_HOME:-$HOME/.cache}/aicli-workspaces/engine` */
export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || os.homedir(), '.cache');
  return path.join(path.resolve(base), 'aicli-workspaces', 'engine');
}

/**
 * Every path one dockerd of ours uses. The socket and exec-root (which holds the managed
 * containerd's sockets, the longest socket paths) move to a short /tmp directory if they
 * would exceed MAX_SOCKET_PATH characters under `dir` (unix socket paths are limited to
 * 108 bytes).
 * @param {string} [dir]
 * @returns {EnginePaths}
 */
export function enginePaths(dir = cacheRoot()) {
  dir = path.resolve(dir);
  let runDir = dir;
  const longest = path.join(dir, 'exec', 'containerd', 'containerd.sock.ttrpc');
  if (longest.length >= MAX_SOCKET_PATH) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'u';
    const hash = crypto.createHash('sha256').update(dir).digest('hex').slice(0, 10);
    runDir = path.join('/tmp', `aicli-engine-${uid}-${hash}`);
  }
  const socket = path.join(runDir, 'docker.sock');
  return {
    dir,
    runDir,
    socket,
    host: `unix://${socket}`,
    dataRoot: path.join(dir, 'data'),
    execRoot: path.join(runDir, 'exec'),
    pidfile: path.join(dir, 'dockerd.pid'),
    logFile: path.join(dir, 'dockerd.log'),
    lockFile: path.join(dir, 'engine.lock'),
  };
}

/**
 * The sanitised name and the paths of the throwaway engine `name` (<cache>/throwaway-<name>).
 * @param {unknown} name
 * @returns {{ safe: string, paths: EnginePaths }}
 */
export function throwawayPaths(name) {
  const safe = String(name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 24);
  if (!safe) throw new Error(`invalid throwaway engine name: ${JSON.stringify(name)}`);
  return { safe, paths: enginePaths(path.join(cacheRoot(), `throwaway-${safe}`)) };
}

/** @returns {string[]} the names of the throwaway engines that have a folder */
export function listThrowaways() {
  try {
    return fs
      .readdirSync(cacheRoot())
      .filter((d) => d.startsWith('throwaway-'))
      .map((d) => d.slice('throwaway-'.length));
  } catch {
    return [];
  }
}
