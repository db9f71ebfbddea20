// @ts-check
// Throwaway engines: more private dockerds, each in a network namespace of its own, for
// tests that stop and restart an engine without disturbing the main one.
import { pingEngine } from './api.mjs';
import { findDockerd, startDaemon, stopAllOnDataRoot } from './daemon.mjs';
import { withLock } from './lock.mjs';
import { throwawayPaths } from './paths.mjs';
import { cannotStartReason } from './private.mjs';
import { isOurDockerd, readPid } from './processes.mjs';
import { prefixer } from './util.mjs';

/** @typedef {import('./util.mjs').Log} Log */

/**
 * @typedef {object} ThrowawayEngine
 * @property {string} host
 * @property {string} name      the sanitised name
 * @property {string} dataRoot
 * @property {string} runDir    socket and exec root
 * @property {string} logFile
 * @property {() => number | null} pid  dockerd's pid; null while stopped
 * @property {() => Promise<void>} start
 * @property {() => Promise<void>} stop
 */

/**
 * A second, independent dockerd (own socket, data-root, exec-root, pidfile and managed
 * containerd under <cache>/throwaway-<name>/) for tests that stop and restart an engine.
 * It runs in its own network namespace, so it does not fight the main engine over docker0
 * or iptables (see the comment below).
 * Build the base image in it with buildBaseImage(handle.host) if a test needs it.
 *
 * @param {string} name  [a-z0-9_.-], at most 24 characters after sanitising
 * @param {{ log?: Log, shutdownTimeout?: number, extraArgs?: string[] }} [opts]
 *   shutdownTimeout: seconds dockerd waits for containers on stop (default 10; containers
 *   whose PID 1 ignores SIGTERM hold stop() that long unless they run with --init);
 *   extraArgs: more dockerd flags, e.g. ['--live-restore'].
 * @returns {Promise<ThrowawayEngine>}
 */
export async function startThrowawayEngine(name, { log = console.error, shutdownTimeout = 10, extraArgs: userArgs = [] } = {}) {
  const say = prefixer(log);
  const { safe, paths } = throwawayPaths(name);
  const reason = cannotStartReason();
  if (reason) throw new Error(`cannot start throwaway engine "${safe}": ${reason}`);
  if (!findDockerd()) throw new Error(`cannot start throwaway engine "${safe}": dockerd is not installed (run ensureEngine() first)`);
  // Runs in its OWN network namespace (`unshare --net`): its docker0, veths and iptables
  // rules live there, so it cannot disturb the main engine. (`--bridge=none` in the host
  // namespace is NOT safe: dockerd then deletes the host's docker0 interface, which breaks
  // the main engine's default network until that one restarts.) Its containers get a normal
  // default bridge and user-defined networks, but published ports are only reachable
  // inside that namespace, and nothing in it reaches the host's network.
  const extraArgs = [
    // distinct namespaces in case both daemons share a system containerd
    `--containerd-namespace=aicli-tw-${safe}`,
    `--containerd-plugins-namespace=aicli-tw-${safe}-plugins`,
    ...userArgs,
  ];
  /** @type {number | null} */
  let pid = null;

  async function start() {
    await withLock(paths.lockFile, say, async () => {
      if (await pingEngine(paths.host)) {
        const p = readPid(paths.pidfile);
        pid = p && isOurDockerd(p, paths) ? p : null;
        say(`throwaway engine "${safe}" already answers at ${paths.host}${pid ? ` (dockerd ${pid})` : ''}`);
        return;
      }
      // an earlier dockerd of this name may still be shutting down (its pid file is gone
      // before the process exits): wait for it rather than start a second one on its data
      // (and a containerd left behind by a SIGKILLed dockerd would block the new one)
      await stopAllOnDataRoot(paths, say, pid);
      ({ pid } = await startDaemon(paths, { say, extraArgs, netns: true, shutdownTimeout }));
    });
  }

  async function stop() {
    await withLock(paths.lockFile, say, async () => {
      await stopAllOnDataRoot(paths, say, pid);
      pid = null;
    });
  }

  await start();
  return { host: paths.host, name: safe, dataRoot: paths.dataRoot, runDir: paths.runDir, logFile: paths.logFile, pid: () => pid, start, stop };
}
