// @ts-check
// Finding a running engine, or starting our private dockerd where this machine allows it
// (Linux, root, dockerd installed or apt-get to install it).
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_HOST, pingEngine } from './api.mjs';
import { aptInstall } from './apt.mjs';
import { findDockerd, startDaemon, stopAllOnDataRoot, stopDaemon } from './daemon.mjs';
import { buildBaseImage } from './image.mjs';
import { withLock } from './lock.mjs';
import { enginePaths } from './paths.mjs';
import { dockerdOnDataRoot, runningDockerds } from './processes.mjs';
import { isRoot, ms, prefixer, which } from './util.mjs';

/** @typedef {import('./paths.mjs').EnginePaths} EnginePaths */
/** @typedef {import('./util.mjs').Log} Log */
/** @typedef {import('./util.mjs').Say} Say */

/**
 * @typedef {object} EngineHandle
 * @property {string} host
 * @property {boolean} startedByUs
 * @property {() => Promise<void>} stop  a no-op unless startedByUs
 * @property {number} [pid]              our dockerd's pid, when startedByUs
 */

/**
 * @param {string} reason
 * @param {string[]} tried
 */
function cannotStartError(reason, tried) {
  return new Error(
    `No Docker engine answers (tried ${tried.join(', ')}) and this script cannot start one: ${reason}.\n` +
      'Do one of:\n' +
      '  - start your Docker engine (e.g. `sudo systemctl start docker`, or open Docker Desktop);\n' +
      '  - install Docker (https://docs.docker.com/engine/install/; Debian/Ubuntu: `sudo apt-get install docker.io`) and start it;\n' +
      '  - set DOCKER_HOST to a running engine (e.g. `export DOCKER_HOST=unix:///run/user/1000/docker.sock` for rootless Docker);\n' +
      '  - or run `sudo node scripts/engine.mjs start` on Debian/Ubuntu to start a private engine, then export the DOCKER_HOST it prints.',
  );
}

/** @returns {string | null} why this machine cannot start a private dockerd, or null if it can (after installing) */
export function cannotStartReason() {
  if (process.platform !== 'linux') return `a private dockerd needs Linux (this is ${process.platform})`;
  if (!isRoot()) return 'a private dockerd needs root (uid 0)';
  if (!findDockerd() && !which('apt-get')) return 'dockerd is not installed and apt-get is not available to install it';
  return null;
}

/**
 * Another dockerd in our network namespace would share docker0 with a new one and break
 * both. Returns a host of such a dockerd that answers, or throws if one runs but does not
 * answer. Our own private dockerd (paths.dataRoot) is ignored: the caller handles it.
 * @param {EnginePaths} paths
 * @returns {Promise<string | null>}
 */
async function otherEngineInOurNetns(paths) {
  for (const d of runningDockerds()) {
    if (d.dataRoot === paths.dataRoot || d.sameNetns !== true) continue;
    for (const h of d.hosts) if (await pingEngine(h)) return h;
    throw new Error(
      `another dockerd (pid ${d.pid}, data-root ${d.dataRoot}) runs on this machine but does not answer at ${d.hosts.join(', ')}; ` +
        'starting a second one would fight over docker0 and iptables. Stop it, or set DOCKER_HOST to its socket.',
    );
  }
  return null;
}

/** @param {string} host @returns {EngineHandle} an engine someone else runs */
function notOurs(host) {
  return { host, startedByUs: false, stop: async () => {} };
}

/**
 * The private engine's own daemon.json (never the system's /etc/docker/daemon.json): gVisor's
 * runsc as a runtime when it is installed, on the ptrace platform (no KVM needed: works in VMs
 * and containers) and with --oci-seccomp, so a workspace's seccomp profile applies inside the
 * sandbox too (src/isolation/runtime.ts has the same lines for users' engines).
 * --network=host: Debian's runsc (2022-12) takes every network namespace for the root one on
 * kernels that show /proc/sys/net/core/rmem_default in each namespace (6.x; it refuses to start
 * "with network enabled in root network namespace"). The box keeps the network namespace the
 * engine made for it (its bridge, routes and our egress gateway); gVisor then serves its
 * sockets from the host kernel's stack in that namespace instead of its own netstack.
 * @param {EnginePaths} paths
 * @returns {string[]}
 */
function daemonConfigArgs(paths) {
  const runsc = which('runsc');
  const runtimeArgs = ['--platform=ptrace', '--oci-seccomp', '--network=host'];
  const config = runsc ? { runtimes: { runsc: { path: runsc, runtimeArgs } } } : {};
  const file = path.join(paths.dir, 'daemon.json');
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return ['--config-file', file];
}

/**
 * Installs dockerd and iptables if one is missing. Returns the system engine that the
 * package may have started (some images let it), which we then use; else null.
 * @param {EnginePaths} paths
 * @param {Say} say
 * @returns {Promise<EngineHandle | null>}
 */
async function installIfMissing(paths, say) {
  if (findDockerd() && which('iptables')) return null;
  if (!which('apt-get')) throw cannotStartError('dockerd or iptables is missing and apt-get is not available', [paths.host]);
  await aptInstall(say);
  if (!findDockerd()) throw new Error('dockerd is still missing after installing docker.io');
  if (await pingEngine(DEFAULT_HOST)) {
    say(`installing docker.io started an engine at ${DEFAULT_HOST}: using it`);
    return notOurs(DEFAULT_HOST);
  }
  return null;
}

/**
 * Under the engine's lock: uses an engine that answers meanwhile, else clears an earlier
 * dockerd of ours and starts a new one.
 * @param {EnginePaths} paths
 * @param {Say} say
 * @returns {Promise<EngineHandle>}
 */
async function startLocked(paths, say) {
  // another process may have started it while we waited for the lock
  if (await pingEngine(paths.host)) {
    say(`private engine already answers at ${paths.host}`);
    return notOurs(paths.host);
  }
  if (dockerdOnDataRoot(paths)) say('an earlier private dockerd runs but does not answer (or is shutting down): stopping it');
  await stopAllOnDataRoot(paths, say); // also a containerd left by a SIGKILLed dockerd
  const other = await otherEngineInOurNetns(paths);
  if (other) {
    say(`another dockerd already answers at ${other}: using it instead of starting a second one`);
    return notOurs(other);
  }
  const installed = await installIfMissing(paths, say);
  if (installed) return installed;
  const { pid } = await startDaemon(paths, { say, extraArgs: daemonConfigArgs(paths) });
  /** @type {Promise<void> | null} */
  let stopping = null;
  return {
    host: paths.host,
    startedByUs: true,
    pid,
    stop: () => (stopping ??= stopDaemon(paths, say, pid).then(() => {})),
  };
}

/**
 * Starts (or finds already running) our private dockerd. Throws an Error with instructions
 * if this machine cannot run one (not Linux, not root, no dockerd and no apt-get).
 *
 * @param {{ log?: Log, dir?: string }} [opts]
 * @returns {Promise<EngineHandle>}
 */
export async function startPrivateEngine({ log = console.error, dir } = {}) {
  const say = prefixer(log);
  const paths = enginePaths(dir);
  if (await pingEngine(paths.host)) {
    say(`private engine already answers at ${paths.host}`);
    return notOurs(paths.host);
  }
  const reason = cannotStartReason();
  if (reason) throw cannotStartError(reason, [paths.host]);
  return withLock(paths.lockFile, say, () => startLocked(paths, say));
}

/**
 * The first of $DOCKER_HOST, the default socket and our private socket that answers;
 * else a private engine started now.
 * @param {{ log: Log, dir?: string }} opts
 * @param {Say} say
 * @returns {Promise<EngineHandle>}
 */
async function findOrStart({ log, dir }, say) {
  const envHost = process.env.DOCKER_HOST || '';
  const candidates = [...new Set([envHost, DEFAULT_HOST, enginePaths(dir).host].filter(Boolean))];
  for (const host of candidates) {
    if (await pingEngine(host)) {
      say(`using the engine that answers at ${host}`);
      return notOurs(host);
    }
    if (host === envHost) say(`no engine answers at DOCKER_HOST=${host}; looking elsewhere`);
  }
  const reason = cannotStartReason();
  if (reason) throw cannotStartError(reason, candidates);
  return startPrivateEngine({ log, dir });
}

/**
 * Finds a running engine or starts a private one, makes sure `aicli/base:latest` exists,
 * and sets process.env.DOCKER_HOST. The caller owns `stop()` (a no-op unless startedByUs).
 *
 * @param {{ log?: Log, dir?: string, baseImage?: boolean }} [opts]
 * @returns {Promise<{ host: string, startedByUs: boolean, stop: () => Promise<void> }>}
 */
export async function ensureEngine({ log = console.error, dir, baseImage = true } = {}) {
  const say = prefixer(log);
  const t0 = Date.now();
  const engine = await findOrStart({ log, dir }, say);
  process.env.DOCKER_HOST = engine.host;
  // A create builds the egress gateway image from these programs the first time.
  const gatewayPrograms = ['dnsmasq', 'nft', 'tcpdump'];
  if (gatewayPrograms.some((program) => !which(program)) && process.platform === 'linux' && isRoot() && which('apt-get')) await aptInstall(say);
  if (baseImage) {
    try {
      await buildBaseImage(engine.host, { log });
    } catch (e) {
      if (engine.startedByUs) await engine.stop();
      throw e;
    }
  }
  say(`engine ready at ${engine.host} (${engine.startedByUs ? 'started by us' : 'already running'}, ${ms(t0)})`);
  return { host: engine.host, startedByUs: engine.startedByUs, stop: engine.stop };
}
