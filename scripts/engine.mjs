#!/usr/bin/env node
// Finds or starts a Docker engine for development and tests, and builds the offline
// base image `aicli/base:latest`. Node built-ins only.
//
//   import { ensureEngine } from './engine.mjs';
//   const engine = await ensureEngine({ log: console.error });
//   // engine = { host: 'unix:///…/docker.sock', startedByUs: boolean, stop: async () => void }
//
// CLI:  node scripts/engine.mjs start | stop [--all] | status | build-image [--force]
//
// Order of ensureEngine():
//   1. an engine that already answers GET /_ping at $DOCKER_HOST (if set), then
//      unix:///var/run/docker.sock, then our private socket (left running by an earlier
//      `start`) is used as is: never stopped (stop() is a no-op, startedByUs = false);
//   2. otherwise, as root on Linux, a PRIVATE dockerd is started (after
//      `apt-get install -y docker.io iptables busybox-static` if dockerd is missing) with
//      everything under ${XDG_CACHE_HOME:-$HOME/.cache}/aicli-workspaces/engine;
//   3. otherwise an Error tells the user what to do.
// Then the base image is built if it is missing, and process.env.DOCKER_HOST is set.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BASE_IMAGE = 'aicli/base:latest';
/** Bump when the base image recipe changes: an image with another version is rebuilt. */
export const BASE_IMAGE_VERSION = '1';
export const DEFAULT_HOST = 'unix:///var/run/docker.sock';
// dnsmasq-base, nftables, tcpdump: the egress gateway image is built from them (src/workspace/gatewayImage.ts).
const APT_PACKAGES = ['docker.io', 'iptables', 'busybox-static', 'dnsmasq-base', 'nftables', 'tcpdump'];
const SBIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const MAX_SOCKET_PATH = 100;

// ---------------------------------------------------------------------------------------
// small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Returns a logger that prefixes every line with `[engine] `. */
function prefixer(log) {
  const sink = typeof log === 'function' ? log : () => {};
  return (msg) => {
    for (const line of String(msg).split('\n')) sink(`[engine] ${line}`);
  };
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Finds an executable on PATH (plus the sbin dirs, which a non-login root PATH may lack). */
function which(cmd, extraDirs = SBIN_DIRS) {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  const dirs = [...(process.env.PATH || '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}

function isExecutable(p) {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pathWithSbin() {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const d of SBIN_DIRS) if (!dirs.includes(d)) dirs.push(d);
  return dirs.join(path.delimiter);
}

function tailOfFile(file, lines = 30) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    // grpc reconnect chatter buries the real error
    return text
      .trimEnd()
      .split('\n')
      .filter((l) => !l.includes('module=grpc'))
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

function ms(t0) {
  return `${Date.now() - t0} ms`;
}

// ---------------------------------------------------------------------------------------
// paths

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

// ---------------------------------------------------------------------------------------
// talking to an engine

/** `unix:///p` → { socketPath }, `tcp://h:p` / `http://h:p` → { host, port }, else null. */
function parseHost(host) {
  if (!host) return null;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const m = /^(?:tcp|http):\/\/\[?([^\]/]+?)\]?(?::(\d+))?\/?$/.exec(host);
  if (m && !process.env.DOCKER_TLS_VERIFY) return { host: m[1], port: Number(m[2] || 2375) };
  return null;
}

/** One HTTP request to the engine API; resolves { status, body } or rejects. */
function request(host, { method = 'GET', path: urlPath, timeoutMs = 2000 }) {
  const target = parseHost(host);
  if (!target) return Promise.reject(new Error(`cannot speak HTTP to ${host}`));
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn(v);
    };
    const req = http.request({ ...target, method, path: urlPath, agent: false, headers: { Host: 'docker' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish(resolve, { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(reject, e));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(reject, new Error(`${method} ${urlPath} on ${host}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => finish(reject, e));
    req.end();
  });
}

/**
 * True if an engine answers GET /_ping at `host` within `timeoutMs`. Hosts that are not
 * unix:// or plain tcp:// (ssh://, TLS) are checked with `docker version` instead.
 */
export async function pingEngine(host, timeoutMs = 2000) {
  if (!parseHost(host)) {
    const docker = findDockerCli();
    if (!docker) return false;
    const r = spawnSync(docker, ['version', '--format', '{{.Server.APIVersion}}'], {
      env: { ...process.env, DOCKER_HOST: host },
      timeout: Math.max(timeoutMs, 10_000),
      encoding: 'utf8',
    });
    return r.status === 0 && r.stdout.trim() !== '';
  }
  try {
    const r = await request(host, { path: '/_ping', timeoutMs });
    return r.status === 200;
  } catch {
    return false;
  }
}

async function engineVersion(host) {
  try {
    const r = await request(host, { path: '/version', timeoutMs: 2000 });
    if (r.status !== 200) return null;
    const v = JSON.parse(r.body);
    return { version: v.Version, api: v.ApiVersion, os: v.Os, arch: v.Arch };
  } catch {
    return null;
  }
}

function findDockerCli() {
  if (isExecutable('/usr/local/bin/docker')) return '/usr/local/bin/docker';
  return which('docker');
}

// ---------------------------------------------------------------------------------------
// processes

/** { comm, argv } of a live (non-zombie) process, or null. Linux /proc only. */
function procInfo(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return null;
    const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { comm, argv };
  } catch {
    return null;
  }
}

function isAlive(pid) {
  if (fs.existsSync('/proc/self/stat')) return procInfo(pid) !== null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readPid(file) {
  try {
    const n = parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** True if `pid` is a live dockerd started with our data-root (guards against pid reuse). */
function isOurDockerd(pid, paths) {
  const info = procInfo(pid);
  if (!info) return false;
  const exe = path.basename(info.argv[0] || '');
  if (info.comm !== 'dockerd' && exe !== 'dockerd') return false;
  return info.argv.some((a) => a === paths.dataRoot || a === `--data-root=${paths.dataRoot}`);
}

/** SIGTERM `pid`, wait until it is gone (up to `graceMs`), then SIGKILL. */
async function terminate(pid, { graceMs = STOP_TIMEOUT_MS, say = () => {}, what = `pid ${pid}` } = {}) {
  const t0 = Date.now();
  try {
    process.kill(pid, 'SIGTERM');
  } catch (e) {
    if (e.code === 'ESRCH') return;
    throw e;
  }
  while (isAlive(pid)) {
    if (Date.now() - t0 > graceMs) {
      say(`${what} still running after ${graceMs} ms: SIGKILL`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      const t1 = Date.now();
      while (isAlive(pid) && Date.now() - t1 < 5000) await sleep(50);
      break;
    }
    await sleep(50);
  }
}

/**
 * A killed dockerd leaves its data-root bind mount (and container overlay mounts) behind;
 * harmless for the next start, but they block deleting the directory. Unmounts them once
 * no dockerd of ours uses the data root.
 */
function unmountLeftovers(paths, say) {
  if (runningDockerds().some((d) => d.dataRoot === paths.dataRoot)) return;
  let mounts;
  try {
    mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => (l.split(' ')[1] || '').replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))))
      .filter((m) => m === paths.dataRoot || m.startsWith(`${paths.dataRoot}/`));
  } catch {
    return;
  }
  if (mounts.length === 0 || !which('umount')) return;
  mounts.sort((a, b) => b.length - a.length); // deepest first
  for (const m of mounts) spawnSync(which('umount'), [m], { stdio: 'ignore' });
  say(`unmounted ${mounts.length} leftover mount(s) under ${paths.dataRoot}`);
}

/** SIGKILLs container processes (and their shims) left behind by a killed containerd of ours. */
function killLeftoverContainers(paths, say) {
  let entries = [];
  try {
    entries = fs
      .readdirSync('/proc')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return;
  }
  const shims = entries.filter((pid) => {
    const info = procInfo(pid);
    return info && info.comm.startsWith('containerd-shim') && info.argv.some((a) => a.startsWith(`${paths.execRoot}/`));
  });
  if (shims.length === 0) return;
  const shimSet = new Set(shims);
  const children = entries.filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return shimSet.has(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      return false;
    }
  });
  say(`killing ${children.length} leftover container process(es) and ${shims.length} shim(s)`);
  // a container's init is the shim's child; killing it ends its whole pid namespace
  for (const pid of [...children, ...shims]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/** Pids of live containerd processes whose command line points into our exec-root. */
function leftoverContainerds(paths) {
  const pids = new Set();
  const fromFile = readPid(path.join(paths.execRoot, 'containerd', 'containerd.pid'));
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {}
  for (const pid of [fromFile, ...entries.map(Number)]) {
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const info = procInfo(pid);
    if (info && info.comm === 'containerd' && info.argv.some((a) => a.startsWith(`${paths.execRoot}/`))) pids.add(pid);
  }
  return [...pids];
}

/**
 * Stops `knownPid` (default: the pid in `paths.pidfile`) if it is our dockerd; then, if no
 * dockerd runs on our data root any more, cleans what a SIGKILLed one leaves behind
 * (containerd, shims and containers, stale pid files, mounts). Returns the pid stopped, or null.
 */
async function stopDaemon(paths, say, knownPid = null, { graceMs = STOP_TIMEOUT_MS } = {}) {
  const pid = knownPid ?? readPid(paths.pidfile);
  let stopped = null;
  if (pid && isOurDockerd(pid, paths)) {
    const t0 = Date.now();
    await terminate(pid, { graceMs, say, what: `dockerd ${pid}` });
    say(`stopped dockerd ${pid} (${ms(t0)})`);
    stopped = pid;
  }
  // Leftovers below belong to a dead dockerd only: leave them alone if one (e.g. started
  // meanwhile by another process) runs on our data root.
  if (runningDockerds().some((d) => d.dataRoot === paths.dataRoot)) return stopped;
  // dockerd stops its containerd on a clean shutdown; after a SIGKILL it survives, and a
  // new dockerd would then try (and fail) to reuse it: "timeout waiting for containerd".
  for (const cpid of leftoverContainerds(paths)) {
    say(`stopping leftover containerd ${cpid}`);
    await terminate(cpid, { graceMs: 5000, say, what: `containerd ${cpid}` });
  }
  // dockerd trusts kill(pid, 0), which also succeeds for a zombie: a containerd.pid or
  // dockerd.pid naming a dead-but-unreaped process (PID 1 here reaps orphans lazily)
  // makes the next dockerd wait for a containerd that is gone, or refuse to start.
  const cpidFile = path.join(paths.execRoot, 'containerd', 'containerd.pid');
  const cpid = readPid(cpidFile);
  if (cpid && !isAlive(cpid)) fs.rmSync(cpidFile, { force: true });
  // After a SIGKILL, containers keep running under their shims; the next dockerd would
  // then spend each container's stop timeout killing them while "Loading containers".
  killLeftoverContainers(paths, say);
  unmountLeftovers(paths, say);
  const recorded = readPid(paths.pidfile);
  if (recorded && (recorded === pid || !isAlive(recorded))) fs.rmSync(paths.pidfile, { force: true });
  return stopped;
}

/**
 * A lock file (O_EXCL) so that two processes do not start two dockerds on one data root.
 * A lock whose owner died is taken over.
 */
async function withLock(lockFile, say, fn, timeoutMs = 15 * 60_000) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const t0 = Date.now();
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const owner = readPid(lockFile);
    let stale = false;
    if (owner) stale = !isAlive(owner);
    else {
      // just created and not yet written, or garbage: stale only once it is old
      try {
        stale = Date.now() - fs.statSync(lockFile).mtimeMs > 10_000;
      } catch {
        continue; // vanished: retry at once
      }
    }
    if (stale) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (!told) {
      say(`waiting for another process (pid ${owner ?? '?'}) that holds ${lockFile}`);
      told = true;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for the lock ${lockFile} (held by pid ${owner})`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    if (readPid(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
  }
}

// ---------------------------------------------------------------------------------------
// installing and starting dockerd

function runCapture(cmd, args, { env = process.env, timeoutMs = 15 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const add = (c) => {
      out += c.toString('utf8');
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}\n${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, out });
    });
  });
}

function tail(text, lines = 25) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** apt-get install -y docker.io iptables busybox-static (apt-get update first only on failure). */
async function aptInstall(say) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: pathWithSbin() };
  const t0 = Date.now();
  say(`installing ${APT_PACKAGES.join(' ')} with apt-get (can take a minute) ...`);
  let r = await runCapture('apt-get', ['install', '-y', ...APT_PACKAGES], { env });
  if (r.code !== 0) {
    say('apt-get install failed; running apt-get update and retrying');
    const u = await runCapture('apt-get', ['update'], { env });
    if (u.code !== 0) say(`apt-get update failed:\n${tail(u.out)}`);
    r = await runCapture('apt-get', ['install', '-y', ...APT_PACKAGES], { env });
  }
  if (r.code !== 0) {
    throw new Error(
      `apt-get install -y ${APT_PACKAGES.join(' ')} failed (exit ${r.code}):\n${tail(r.out)}\n` +
        'Install Docker yourself, start it, or set DOCKER_HOST to a running engine.',
    );
  }
  say(`installed ${APT_PACKAGES.join(' ')} (${ms(t0)})`);
}

function findDockerd() {
  return which('dockerd');
}

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

/** Why this machine cannot start a private dockerd, or null if it can (after installing). */
function cannotStartReason() {
  if (process.platform !== 'linux') return `a private dockerd needs Linux (this is ${process.platform})`;
  if (!isRoot()) return 'a private dockerd needs root (uid 0)';
  if (!findDockerd() && !which('apt-get')) return 'dockerd is not installed and apt-get is not available to install it';
  return null;
}

/**
 * Starts dockerd detached (own session, like `setsid`), logging to paths.logFile, and
 * waits until it answers /_ping. Returns { pid }. On failure kills it and throws with the
 * tail of the log.
 */
async function startDaemon(paths, { say, extraArgs = [], netns = false, shutdownTimeout = 10 }) {
  const dockerd = findDockerd();
  if (!dockerd) throw new Error('dockerd not found on PATH or in /usr/sbin');
  const unshare = netns ? which('unshare') : null;
  if (netns && !unshare) throw new Error('`unshare` (util-linux) is needed to give a throwaway dockerd its own network namespace');
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  // keep the previous run's log as dockerd.log.1
  try {
    fs.renameSync(paths.logFile, `${paths.logFile}.1`);
  } catch {}
  const args = [
    '--host',
    paths.host,
    '--data-root',
    paths.dataRoot,
    '--exec-root',
    paths.execRoot,
    '--pidfile',
    paths.pidfile,
    // finish stopping containers before our 15 s SIGKILL deadline
    '--shutdown-timeout',
    String(shutdownTimeout),
    ...extraArgs,
  ];
  const t0 = Date.now();
  const out = fs.openSync(paths.logFile, 'a');
  fs.writeSync(out, `# ${new Date().toISOString()} ${netns ? 'unshare --net -- ' : ''}${dockerd} ${args.join(' ')}\n`);
  let child;
  try {
    // `unshare --net` execs dockerd in place (same pid) inside a new network namespace
    child = spawn(netns ? unshare : dockerd, netns ? ['--net', '--', dockerd, ...args] : args, {
      detached: true, // setsid(): survives our process group and terminal
      stdio: ['ignore', out, out],
      env: { ...process.env, PATH: pathWithSbin() },
    });
  } finally {
    fs.closeSync(out);
  }
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.on('error', (e) => (exited = { error: e }));
  child.unref();
  say(`starting dockerd (pid ${child.pid}${netns ? ', own network namespace' : ''}) on ${paths.host}; log ${paths.logFile}`);

  while (!(await pingEngine(paths.host, 2000))) {
    if (exited || Date.now() - t0 > READY_TIMEOUT_MS) {
      const why = exited
        ? exited.error
          ? `could not run ${dockerd}: ${exited.error.message}`
          : `dockerd exited (${exited.signal ?? `code ${exited.code}`})`
        : `dockerd did not answer within ${READY_TIMEOUT_MS / 1000} s`;
      if (!exited && child.pid) await stopDaemon(paths, say, child.pid, { graceMs: 5000 });
      const logTail = tailOfFile(paths.logFile);
      say(`${why}; last lines of ${paths.logFile}:\n${logTail}`);
      throw new Error(`${why} (engine at ${paths.host}); see ${paths.logFile}:\n${logTail}`);
    }
    await sleep(100);
  }
  say(`dockerd ${child.pid} answers after ${ms(t0)}`);
  return { pid: child.pid };
}

/**
 * Live dockerd processes: [{ pid, hosts, dataRoot, sameNetns }]. Linux /proc only; []
 * elsewhere. sameNetns is false for throwaway engines (own network namespace) and null
 * if it cannot be told.
 */
function runningDockerds() {
  let myNet;
  let entries;
  try {
    myNet = fs.readlinkSync('/proc/self/ns/net');
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const found = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const info = procInfo(pid);
    if (!info || (info.comm !== 'dockerd' && path.basename(info.argv[0] || '') !== 'dockerd')) continue;
    let sameNetns = null;
    try {
      sameNetns = fs.readlinkSync(`/proc/${pid}/ns/net`) === myNet;
    } catch {}
    const hosts = [];
    let dataRoot = '/var/lib/docker';
    const a = info.argv;
    for (let i = 1; i < a.length; i++) {
      const m = /^(--host|-H|--data-root)(?:=(.*))?$/.exec(a[i]);
      if (!m) continue;
      const v = m[2] ?? a[++i];
      if (m[1] === '--data-root') dataRoot = v;
      else if (v) hosts.push(v.startsWith('fd://') ? DEFAULT_HOST : v);
    }
    if (hosts.length === 0) hosts.push(DEFAULT_HOST);
    found.push({ pid, hosts, dataRoot, sameNetns });
  }
  return found;
}

/**
 * Stops every dockerd that uses our data root (the one in the pid file, and also one that
 * already removed its pid file but is still shutting down): two dockerds on one data root
 * corrupt each other.
 */
async function stopAllOnDataRoot(paths, say, knownPid = null) {
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

/**
 * Another dockerd in our network namespace would share docker0 with a new one and break
 * both. Returns a host of such a dockerd that answers, or throws if one runs but does not
 * answer. Our own private dockerd (paths.dataRoot) is ignored: the caller handles it.
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

function noStop() {
  return async () => {};
}

/**
 * Starts (or finds already running) our private dockerd. Throws an Error with instructions
 * if this machine cannot run one (not Linux, not root, no dockerd and no apt-get).
 *
 * @param {{ log?: (line: string) => void, dir?: string }} [opts]
 * @returns {Promise<{ host: string, startedByUs: boolean, stop: () => Promise<void>, pid?: number }>}
 */
export async function startPrivateEngine({ log = console.error, dir } = {}) {
  const say = prefixer(log);
  const paths = enginePaths(dir);
  if (await pingEngine(paths.host)) {
    say(`private engine already answers at ${paths.host}`);
    return { host: paths.host, startedByUs: false, stop: noStop() };
  }
  const reason = cannotStartReason();
  if (reason) throw cannotStartError(reason, [paths.host]);

  return withLock(paths.lockFile, say, async () => {
    // another process may have started it while we waited for the lock
    if (await pingEngine(paths.host)) {
      say(`private engine already answers at ${paths.host}`);
      return { host: paths.host, startedByUs: false, stop: noStop() };
    }
    if (runningDockerds().some((d) => d.dataRoot === paths.dataRoot)) {
      say('an earlier private dockerd runs but does not answer (or is shutting down): stopping it');
    }
    await stopAllOnDataRoot(paths, say); // also a containerd left by a SIGKILLed dockerd
    const other = await otherEngineInOurNetns(paths);
    if (other) {
      say(`another dockerd already answers at ${other}: using it instead of starting a second one`);
      return { host: other, startedByUs: false, stop: noStop() };
    }
    if (!findDockerd() || !which('iptables')) {
      if (!which('apt-get')) throw cannotStartError('dockerd or iptables is missing and apt-get is not available', [paths.host]);
      await aptInstall(say);
      if (!findDockerd()) throw new Error('dockerd is still missing after installing docker.io');
      // Some images let the package start a system engine: prefer it over a second one.
      if (await pingEngine(DEFAULT_HOST)) {
        say(`installing docker.io started an engine at ${DEFAULT_HOST}: using it`);
        return { host: DEFAULT_HOST, startedByUs: false, stop: noStop() };
      }
    }
    const { pid } = await startDaemon(paths, { say });
    let stopping = null;
    return {
      host: paths.host,
      startedByUs: true,
      pid,
      stop: () => (stopping ??= stopDaemon(paths, say, pid).then(() => {})),
    };
  });
}

/**
 * Finds a running engine or starts a private one, makes sure `aicli/base:latest` exists,
 * and sets process.env.DOCKER_HOST. The caller owns `stop()` (a no-op unless startedByUs).
 *
 * @param {{ log?: (line: string) => void, dir?: string, baseImage?: boolean }} [opts]
 * @returns {Promise<{ host: string, startedByUs: boolean, stop: () => Promise<void> }>}
 */
export async function ensureEngine({ log = console.error, dir, baseImage = true } = {}) {
  const say = prefixer(log);
  const t0 = Date.now();
  const paths = enginePaths(dir);
  const envHost = process.env.DOCKER_HOST || '';
  const candidates = [...new Set([envHost, DEFAULT_HOST, paths.host].filter(Boolean))];
  let engine = null;
  for (const host of candidates) {
    if (await pingEngine(host)) {
      engine = { host, startedByUs: false, stop: noStop() };
      say(`using the engine that answers at ${host}`);
      break;
    }
    if (host === envHost) say(`no engine answers at DOCKER_HOST=${host}; looking elsewhere`);
  }
  if (!engine) {
    const reason = cannotStartReason();
    if (reason) throw cannotStartError(reason, candidates);
    engine = await startPrivateEngine({ log, dir });
  }
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

// ---------------------------------------------------------------------------------------
// throwaway engines

function throwawayPaths(name) {
  const safe = String(name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 24);
  if (!safe) throw new Error(`invalid throwaway engine name: ${JSON.stringify(name)}`);
  return { safe, paths: enginePaths(path.join(cacheRoot(), `throwaway-${safe}`)) };
}

/**
 * A second, independent dockerd (own socket, data-root, exec-root, pidfile and managed
 * containerd under <cache>/throwaway-<name>/) for tests that stop and restart an engine.
 * It runs in its own network namespace, so it does not fight the main engine over docker0
 * or iptables (see the comment below).
 * Build the base image in it with buildBaseImage(handle.host) if a test needs it.
 *
 * @param {string} name  [a-z0-9_.-], at most 24 characters after sanitising
 * @param {{ log?: (line: string) => void, shutdownTimeout?: number, extraArgs?: string[] }} [opts]
 *   shutdownTimeout: seconds dockerd waits for containers on stop (default 10; containers
 *   whose PID 1 ignores SIGTERM hold stop() that long unless they run with --init);
 *   extraArgs: more dockerd flags, e.g. ['--live-restore'].
 * @returns {Promise<{ host: string, name: string, dataRoot: string, logFile: string,
 *   pid: () => number | null, stop: () => Promise<void>, start: () => Promise<void> }>}
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
  return {
    host: paths.host,
    name: safe,
    dataRoot: paths.dataRoot,
    runDir: paths.runDir,
    logFile: paths.logFile,
    pid: () => pid,
    start,
    stop,
  };
}

// ---------------------------------------------------------------------------------------
// base image

/** True if `file` is an ELF executable without a PT_INTERP header (statically linked). */
function isStaticElf(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const h = Buffer.alloc(64);
    fs.readSync(fd, h, 0, 64, 0);
    if (h.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = h[4] === 2;
    const le = h[5] === 1;
    const u16 = (b, o) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? h.readBigUInt64LE(32) : h.readBigUInt64BE(32)) : u32(h, 28);
    const phentsize = u16(h, is64 ? 54 : 42);
    const phnum = u16(h, is64 ? 56 : 44);
    const ph = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (u32(ph, i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function findStaticBusybox() {
  const candidates = [process.env.AICLI_BUSYBOX, '/bin/busybox', '/usr/bin/busybox', '/usr/sbin/busybox'];
  for (const c of candidates) if (c && isExecutable(c) && isStaticElf(c)) return c;
  return null;
}

/** Applet paths relative to / (e.g. `bin/sh`, `usr/bin/env`). */
function busyboxApplets(busybox) {
  let r = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) {
    return r.stdout
      .split('\n')
      .map((s) => s.trim().replace(/^\/+/, ''))
      .filter(Boolean);
  }
  r = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${busybox} --list failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((a) => `bin/${a}`);
}

/** A minimal ustar writer: entries → one Buffer. */
function tarArchive(entries) {
  const blocks = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const name = e.type === 'dir' ? `${e.name.replace(/\/$/, '')}/` : e.name;
    if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
    const data = e.type === 'file' ? Buffer.from(e.data) : Buffer.alloc(0);
    const octal = (n, off, len) => h.write(n.toString(8).padStart(len - 1, '0') + '\0', off, len, 'ascii');
    h.write(name, 0, 100, 'utf8');
    octal(e.mode ?? (e.type === 'dir' ? 0o755 : 0o644), 100, 8);
    octal(e.uid ?? 0, 108, 8);
    octal(e.gid ?? 0, 116, 8);
    octal(data.length, 124, 12);
    octal(mtime, 136, 12);
    h.fill(0x20, 148, 156); // checksum placeholder: spaces
    h.write({ file: '0', symlink: '2', dir: '5' }[e.type], 156, 1, 'ascii');
    if (e.type === 'symlink') h.write(e.target, 157, 100, 'utf8');
    h.write('ustar\0', 257, 6, 'ascii');
    h.write('00', 263, 2, 'ascii');
    h.write(e.uid ? 'user' : 'root', 265, 32, 'ascii');
    h.write(e.gid ? 'user' : 'root', 297, 32, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
    blocks.push(h);
    if (data.length) {
      blocks.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The rootfs of the base image as a tar archive. */
function baseRootfsTar(busyboxBinary, applets) {
  const dirs = new Map(); // name → entry
  const addDir = (name, extra = {}) => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!dirs.has(parent)) dirs.set(parent, { type: 'dir', name: parent });
    }
    dirs.set(name, { type: 'dir', name, ...dirs.get(name), ...extra });
  };
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'proc', 'sys', 'dev', 'var/log']) addDir(d);
  addDir('tmp', { mode: 0o1777 });
  addDir('var/tmp', { mode: 0o1777 });
  addDir('root', { mode: 0o700 });
  addDir('home/user', { uid: 1000, gid: 1000 });
  addDir('workspace', { uid: 1000, gid: 1000 });
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
  const files = [
    { type: 'file', name: 'bin/busybox', mode: 0o755, data: busyboxBinary },
    {
      type: 'file',
      name: 'etc/passwd',
      data: 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    { type: 'file', name: 'etc/group', data: 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' },
    { type: 'file', name: 'etc/shadow', mode: 0o640, data: 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\n' },
    { type: 'file', name: 'etc/os-release', data: 'NAME="aicli base (busybox)"\nID=aicli-busybox\n' },
  ];
  const sortedDirs = [...dirs.values()].sort((a, b) => a.name.localeCompare(b.name));
  return tarArchive([...sortedDirs, ...files, ...links]);
}

/** Inspects `aicli/base:latest`: null if missing, else its labels. */
async function inspectBaseImage(host) {
  if (parseHost(host)) {
    const r = await request(host, { path: `/images/${BASE_IMAGE}/json`, timeoutMs: 10_000 });
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`inspecting ${BASE_IMAGE} failed: HTTP ${r.status} ${r.body}`);
    const j = JSON.parse(r.body);
    return { id: j.Id, size: j.Size, labels: j.Config?.Labels ?? {} };
  }
  const docker = findDockerCli();
  const r = spawnSync(docker, ['image', 'inspect', '--format', '{{json .}}', BASE_IMAGE], {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: 'utf8',
  });
  if (r.status !== 0) return null;
  const j = JSON.parse(r.stdout);
  return { id: j.Id, size: j.Size, labels: j.Config?.Labels ?? {} };
}

/**
 * Makes sure `aicli/base:latest` exists on the engine at `host`, building it offline from
 * a static busybox if it is missing (or was built by another recipe version). The image is
 * labelled `aicli.base=true` (NOT `aicli.managed`, so cleanup by that label keeps it).
 *
 * @param {string} host e.g. 'unix:///…/docker.sock'
 * @param {{ log?: (line: string) => void, force?: boolean }} [opts]
 * @returns {Promise<{ image: string, built: boolean, id: string }>}
 */
export async function buildBaseImage(host, { log = console.error, force = false } = {}) {
  const say = prefixer(log);
  const t0 = Date.now();
  const existing = await inspectBaseImage(host);
  if (existing && !force && existing.labels['aicli.base.version'] === BASE_IMAGE_VERSION) {
    say(`base image ${BASE_IMAGE} present (${existing.id.slice(7, 19)})`);
    return { image: BASE_IMAGE, built: false, id: existing.id };
  }
  const docker = findDockerCli();
  if (!docker) throw new Error('the docker CLI is needed to build the base image: install docker.io (or Docker)');

  let busybox = findStaticBusybox();
  if (!busybox && process.platform === 'linux' && isRoot() && which('apt-get')) {
    await aptInstall(say);
    busybox = findStaticBusybox();
  }
  if (!busybox) {
    throw new Error(
      `cannot build ${BASE_IMAGE}: no statically linked busybox found (looked at $AICLI_BUSYBOX, /bin/busybox, /usr/bin/busybox). ` +
        "Install it (Debian/Ubuntu: `sudo apt-get install busybox-static`) or set AICLI_BUSYBOX to a static busybox binary for the engine's architecture.",
    );
  }
  const applets = busyboxApplets(busybox);
  const tar = baseRootfsTar(fs.readFileSync(busybox), applets);
  say(
    `building ${BASE_IMAGE} from ${busybox} (${applets.length} applets, ${(tar.length / 1e6).toFixed(1)} MB tar)${existing ? (force ? ' (forced rebuild)' : ' to replace another recipe version') : ''}`,
  );
  const args = [
    'import',
    '--change',
    'CMD ["/bin/sh"]',
    '--change',
    'WORKDIR /workspace',
    '--change',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--change',
    'LABEL aicli.base=true',
    '--change',
    `LABEL aicli.base.version=${BASE_IMAGE_VERSION}`,
    '-',
    BASE_IMAGE,
  ];
  const id = await new Promise((resolve, reject) => {
    const child = spawn(docker, args, {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.stdin.on('error', () => {}); // reported through the exit code
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`docker import of ${BASE_IMAGE} failed (exit ${code}): ${err.trim()}`))));
    child.stdin.end(tar);
  });
  say(`built ${BASE_IMAGE} ${id.slice(7, 19)} (${ms(t0)})`);
  return { image: BASE_IMAGE, built: true, id };
}

// ---------------------------------------------------------------------------------------
// CLI

function listThrowaways() {
  try {
    return fs
      .readdirSync(cacheRoot())
      .filter((d) => d.startsWith('throwaway-'))
      .map((d) => d.slice('throwaway-'.length));
  } catch {
    return [];
  }
}

async function cliStatus(say) {
  let any = false;
  const envHost = process.env.DOCKER_HOST;
  const paths = enginePaths();
  const rows = [];
  if (envHost) rows.push(['DOCKER_HOST', envHost]);
  rows.push(['default', DEFAULT_HOST], ['private', paths.host]);
  let ready = null;
  for (const [label, host] of rows) {
    const up = await pingEngine(host);
    let extra = '';
    if (up) {
      any = true;
      ready ??= host;
      const v = await engineVersion(host);
      if (v) extra = ` (dockerd ${v.version}, API ${v.api})`;
    }
    if (label === 'private') {
      const pid = readPid(paths.pidfile);
      if (pid) extra += isOurDockerd(pid, paths) ? `, pid ${pid}` : `, stale pid file (${pid})`;
    }
    say(`${label.padEnd(11)} ${host}: ${up ? 'answers' : 'no answer'}${extra}`);
  }
  for (const name of listThrowaways()) {
    const { paths: tp } = throwawayPaths(name);
    const pid = readPid(tp.pidfile);
    const up = await pingEngine(tp.host);
    say(`throwaway   ${tp.host}: ${up ? 'answers' : 'no answer'}${pid && isOurDockerd(pid, tp) ? `, pid ${pid}` : ''}`);
  }
  if (ready) {
    try {
      const img = await inspectBaseImage(ready);
      say(
        img
          ? `base image  ${BASE_IMAGE}: present ${img.id.slice(7, 19)}, ${(img.size / 1e6).toFixed(1)} MB, version ${img.labels['aicli.base.version'] ?? '?'}`
          : `base image  ${BASE_IMAGE}: missing`,
      );
    } catch (e) {
      say(`base image  ${BASE_IMAGE}: ${e.message}`);
    }
  }
  return any ? 0 : 3;
}

async function cliStop(say, all) {
  const paths = enginePaths();
  const pid = readPid(paths.pidfile);
  if (pid && !isOurDockerd(pid, paths)) {
    say(`pid ${pid} in ${paths.pidfile} is not our dockerd: not touching it`);
    if (!isAlive(pid)) fs.rmSync(paths.pidfile, { force: true });
  }
  // the recorded pid if it is our dockerd, plus any dockerd still running on our data root
  const stopped = await withLock(paths.lockFile, say, () => stopAllOnDataRoot(paths, say));
  if (!stopped) say(`no private dockerd of ours is running (pid file ${paths.pidfile})`);
  if (all) {
    for (const name of listThrowaways()) {
      const { paths: tp } = throwawayPaths(name);
      await withLock(tp.lockFile, say, () => stopAllOnDataRoot(tp, say));
    }
  }
  return 0;
}

async function main(argv) {
  const say = prefixer(console.error);
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start': {
      const engine = await ensureEngine({ log: console.error });
      console.log(`[engine] DOCKER_HOST=${engine.host}`);
      return 0;
    }
    case 'stop':
      return cliStop(say, rest.includes('--all'));
    case 'status':
      return cliStatus(say);
    case 'build-image': {
      const engine = await ensureEngine({ log: console.error, baseImage: false });
      await buildBaseImage(engine.host, { log: console.error, force: rest.includes('--force') });
      return 0;
    }
    default:
      say('usage: node scripts/engine.mjs start | stop [--all] | status | build-image [--force]');
      say('  start        use a running engine or start a private dockerd; build aicli/base:latest; print DOCKER_HOST');
      say('  stop         stop the private dockerd of an earlier `start` (--all: also throwaway engines)');
      say('  status       which engines answer, pids, base image');
      return cmd ? 2 : 0;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      for (const line of String(e?.message ?? e).split('\n')) console.error(`[engine] ${line}`);
      process.exitCode = 1;
    },
  );
}
