// @ts-check
// Starting and stopping one dockerd of ours, detached, on the paths of enginePaths().
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { pingEngine } from './api.mjs';
import { containerdPidFile, killLeftoverContainers, leftoverContainerds, unmountLeftovers } from './leftovers.mjs';
import { STOP_TIMEOUT_MS, dockerdOnDataRoot, isAlive, isOurDockerd, readPid, runningDockerds, terminate } from './processes.mjs';
import { ms, pathWithSbin, sleep, tailOfFile, which } from './util.mjs';

/** @typedef {import('./paths.mjs').EnginePaths} EnginePaths */
/** @typedef {import('./util.mjs').Say} Say */
/** @typedef {{ code?: number | null, signal?: NodeJS.Signals | null, error?: Error }} Exit */

const READY_TIMEOUT_MS = 30_000;

export function findDockerd() {
  return which('dockerd');
}

/**
 * @param {EnginePaths} paths
 * @param {number} shutdownTimeout
 * @param {string[]} extraArgs
 */
function dockerdArgs(paths, shutdownTimeout, extraArgs) {
  return [
    ...['--host', paths.host, '--data-root', paths.dataRoot, '--exec-root', paths.execRoot, '--pidfile', paths.pidfile],
    // finish stopping containers before our 15 s SIGKILL deadline
    ...['--shutdown-timeout', String(shutdownTimeout)],
    ...extraArgs,
  ];
}

/**
 * Spawns `dockerd args` detached, its output appended to paths.logFile (the previous
 * run's log kept as dockerd.log.1); with `unshare`, in a network namespace of its own.
 * @param {EnginePaths} paths
 * @param {string} dockerd
 * @param {string[]} args
 * @param {string | null} unshare
 * @returns {{ pid: number | undefined, exit: () => Exit | null }}
 */
function spawnDetached(paths, dockerd, args, unshare) {
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  try {
    fs.renameSync(paths.logFile, `${paths.logFile}.1`);
  } catch {
    // no earlier log
  }
  const out = fs.openSync(paths.logFile, 'a');
  fs.writeSync(out, `# ${new Date().toISOString()} ${unshare ? 'unshare --net -- ' : ''}${dockerd} ${args.join(' ')}\n`);
  let child;
  try {
    // `unshare --net` execs dockerd in place (same pid) inside a new network namespace
    child = spawn(unshare ?? dockerd, unshare ? ['--net', '--', dockerd, ...args] : args, {
      detached: true, // setsid(): survives our process group and terminal
      stdio: ['ignore', out, out],
      env: { ...process.env, PATH: pathWithSbin() },
    });
  } finally {
    fs.closeSync(out);
  }
  /** @type {Exit | null} */
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.on('error', (error) => (exited = { error }));
  child.unref();
  return { pid: child.pid, exit: () => exited };
}

/** @param {string} dockerd @param {Exit | null} exited @returns {string} why dockerd is not ready */
function notReadyReason(dockerd, exited) {
  if (!exited) return `dockerd did not answer within ${READY_TIMEOUT_MS / 1000} s`;
  if (exited.error) return `could not run ${dockerd}: ${exited.error.message}`;
  return `dockerd exited (${exited.signal ?? `code ${exited.code}`})`;
}

/**
 * Starts dockerd detached (own session, like `setsid`), logging to paths.logFile, and
 * waits until it answers /_ping. Returns { pid }. On failure kills it and throws with the
 * tail of the log.
 * @param {EnginePaths} paths
 * @param {{ say: Say, extraArgs?: string[], netns?: boolean, shutdownTimeout?: number }} opts
 * @returns {Promise<{ pid: number }>}
 */
export async function startDaemon(paths, { say, extraArgs = [], netns = false, shutdownTimeout = 10 }) {
  const dockerd = findDockerd();
  if (!dockerd) throw new Error('dockerd not found on PATH or in /usr/sbin');
  const unshare = netns ? which('unshare') : null;
  if (netns && !unshare) throw new Error('`unshare` (util-linux) is needed to give a throwaway dockerd its own network namespace');
  const t0 = Date.now();
  const child = spawnDetached(paths, dockerd, dockerdArgs(paths, shutdownTimeout, extraArgs), unshare);
  say(`starting dockerd (pid ${child.pid}${netns ? ', own network namespace' : ''}) on ${paths.host}; log ${paths.logFile}`);
  while (!(await pingEngine(paths.host, 2000))) {
    const exited = child.exit();
    if (exited || Date.now() - t0 > READY_TIMEOUT_MS) {
      const why = notReadyReason(dockerd, exited);
      if (!exited && child.pid) await stopDaemon(paths, say, child.pid, { graceMs: 5000 });
      const logTail = tailOfFile(paths.logFile);
      say(`${why}; last lines of ${paths.logFile}:\n${logTail}`);
      throw new Error(`${why} (engine at ${paths.host}); see ${paths.logFile}:\n${logTail}`);
    }
    await sleep(100);
  }
  say(`dockerd ${child.pid} answers after ${ms(t0)}`);
  return { pid: /** @type {number} */ (child.pid) };
}

/**
 * Cleans what a SIGKILLed dockerd leaves behind: containerd, shims and containers, stale
 * pid files, mounts. Only for a dead dockerd: the caller checks none runs on our data root.
 * @param {EnginePaths} paths
 * @param {Say} say
 * @param {number | null} stoppedPid the pid just stopped (its pid file may be removed)
 */
async function cleanLeftovers(paths, say, stoppedPid) {
  // dockerd stops its containerd on a clean shutdown; after a SIGKILL it survives, and a
  // new dockerd would then try (and fail) to reuse it: "timeout waiting for containerd".
  for (const cpid of leftoverContainerds(paths)) {
    say(`stopping leftover containerd ${cpid}`);
    await terminate(cpid, { graceMs: 5000, say, what: `containerd ${cpid}` });
  }
  // dockerd trusts kill(pid, 0), which also succeeds for a zombie: a containerd.pid or
  // dockerd.pid naming a dead-but-unreaped process (PID 1 here reaps orphans lazily)
  // makes the next dockerd wait for a containerd that is gone, or refuse to start.
  const cpid = readPid(containerdPidFile(paths));
  if (cpid && !isAlive(cpid)) fs.rmSync(containerdPidFile(paths), { force: true });
  // After a SIGKILL, containers keep running under their shims; the next dockerd would
  // then spend each container's stop timeout killing them while "Loading containers".
  killLeftoverContainers(paths, say);
  unmountLeftovers(paths, say);
  const recorded = readPid(paths.pidfile);
  if (recorded && (recorded === stoppedPid || !isAlive(recorded))) fs.rmSync(paths.pidfile, { force: true });
}

/**
 * Stops `knownPid` (default: the pid in `paths.pidfile`) if it is our dockerd; then, if no
 * dockerd runs on our data root any more, cleans what a SIGKILLed one leaves behind
 * (containerd, shims and containers, stale pid files, mounts). Returns the pid stopped, or null.
 * @param {EnginePaths} paths
 * @param {Say} say
 * @param {number | null} [knownPid]
 * @param {{ graceMs?: number }} [opts]
 * @returns {Promise<number | null>}
 */
export async function stopDaemon(paths, say, knownPid = null, { graceMs = STOP_TIMEOUT_MS } = {}) {
  const pid = knownPid ?? readPid(paths.pidfile);
  let stopped = null;
  if (pid && isOurDockerd(pid, paths)) {
    const t0 = Date.now();
    await terminate(pid, { graceMs, say, what: `dockerd ${pid}` });
    say(`stopped dockerd ${pid} (${ms(t0)})`);
    stopped = pid;
  }
  // Leftovers belong to a dead dockerd only: leave them alone if one (e.g. started
  // meanwhile by another process) runs on our data root.
  if (!dockerdOnDataRoot(paths)) await cleanLeftovers(paths, say, pid);
  return stopped;
}

/**
 * Stops every dockerd that uses our data root (the one in the pid file, and also one that
 * already removed its pid file but is still shutting down): two dockerds on one data root
 * corrupt each other.
 * @param {EnginePaths} paths
 * @param {Say} say
 * @param {number | null} [knownPid]
 * @returns {Promise<number | null>} the last pid stopped
 */
export async function stopAllOnDataRoot(paths, say, knownPid = null) {
  const pids = new Set(
    runningDockerds()
      .filter((d) => d.dataRoot === paths.dataRoot)
      .map((d) => d.pid),
  );
  for (const p of [knownPid, readPid(paths.pidfile)]) if (p && isOurDockerd(p, paths)) pids.add(p);
  let stopped = null;
  for (const p of pids) stopped = (await stopDaemon(paths, say, p)) ?? stopped;
  if (pids.size === 0) await stopDaemon(paths, say, null); // leftover containerd / pid file
  return stopped;
}
