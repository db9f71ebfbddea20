#!/usr/bin/env node
// @ts-check
// A private Podman engine (`podman system service`, the Docker-compatible API) for
// development and tests, beside (never instead of) the private dockerd of engine.mjs.
// Node built-ins only (plus podman, util-linux's unshare/nsenter and mount).
//
//   node scripts/podman.mjs start | stop [--reset] | status | build-image [--force] | cli <podman args…>
//
// Everything lives under ${XDG_CACHE_HOME:-$HOME/.cache}/aicli-workspaces/podman: image and
// container storage (--root), the volatile run state (--runroot, --tmpdir), network
// definitions (--network-config-dir), our own containers.conf / storage.conf /
// registries.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF),
// the pid file and the log. The system's podman state is never touched:
//
// Rootful podman 4.3 also uses a few fixed host paths that no flag or config moves:
//   /run/containers/networks  netavark's IPAM database and aardvark-dns' config (rootful: shared)
//   /run/netns                the containers' network namespace files
//   /run/runc                 runc's state (podman passes no --root to runc when rootful)
//   /var/lib/containers       containers/image's blob-info cache (/var/lib/containers/cache)
//   /dev/shm/libpod_lock      the SHM segment holding every container's lock
// so the service runs in a MOUNT NAMESPACE OF ITS OWN (`unshare --mount --propagation
// slave`: host mounts still propagate in, nothing propagates out) where our folders are
// bound over the first four and a fresh tmpfs covers /dev/shm and our run folder. conmon,
// runc, netavark, aardvark-dns and `podman container cleanup` (conmon's exit command)
// inherit that namespace; the containers' overlay and netns mounts exist only there, and
// vanish with it: `stop` leaves no mount behind on the host. It shares the host's NETWORK
// namespace (like dockerd: the egress tests' fake internet is reached through its NAT) and
// /run/xtables.lock (iptables' lock, shared with dockerd on purpose).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { engineVersion, pingEngine, request } from './engine/api.mjs';
import { BASE_IMAGE, buildBaseImage, inspectBaseImage } from './engine/image.mjs';
import { withLock } from './engine/lock.mjs';
import { allPids, isAlive, procInfo, readPid, terminate } from './engine/processes.mjs';
import { errorMessage, isRoot, ms, pathWithSbin, prefixer, sleep, tailOfFile, which } from './engine/util.mjs';

/** @typedef {import('./engine/util.mjs').Say} Say */

const READY_TIMEOUT_MS = 30_000;

/** @param {((line: string) => void) | undefined} log @returns {Say} a logger that prefixes `[podman] ` */
const podmanSay = (log) => prefixer(log, 'podman');
const STOP_GRACE_MS = 15_000;
/** Unix socket paths are limited to 108 bytes. */
const MAX_SOCKET_PATH = 100;

/**
 * Host paths rootful podman uses whatever its flags say: hidden in the service's mount
 * namespace behind a folder of ours (name under `hidden/`).
 */
const HIDDEN = /** @type {const} */ ([
  ['/run/containers/networks', 'run-containers-networks'],
  ['/run/netns', 'run-netns'],
  ['/run/runc', 'run-runc'],
  ['/var/lib/containers', 'var-lib-containers'],
]);

/**
 * @typedef {object} PodmanPaths
 * @property {string} dir          everything of ours
 * @property {string} socket
 * @property {string} host         `unix://${socket}`
 * @property {string} graphRoot    images, containers, volumes, libpod's database (--root)
 * @property {string} volatile     a private tmpfs inside the namespace (empty on the host)
 * @property {string} runRoot      --runroot (in `volatile`)
 * @property {string} tmpDir       libpod's --tmpdir: events log, exit files, attach sockets (in `volatile`)
 * @property {string} networkDir   network definitions (--network-config-dir)
 * @property {string} bigTmp       TMPDIR: build contexts, image layers being copied
 * @property {string} hiddenDir    the folders bound over HIDDEN
 * @property {string} containersConf
 * @property {string} storageConf
 * @property {string} registriesConf
 * @property {string} pidfile
 * @property {string} mntnsFile    the service's mount namespace (`mnt:[inode]`), to find what lives in it
 * @property {string} logFile
 * @property {string} lockFile
 */

/** `${XDG_CACHE_HOME:-$HOME/.cache}/aicli-workspaces/podman` */
export function podmanRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || os.homedir(), '.cache');
  return path.join(path.resolve(base), 'aicli-workspaces', 'podman');
}

/** @param {string} [dir] @returns {PodmanPaths} */
export function podmanPaths(dir = podmanRoot()) {
  dir = path.resolve(dir);
  let socket = path.join(dir, 'podman.sock');
  if (socket.length >= MAX_SOCKET_PATH) {
    const hash = crypto.createHash('sha256').update(dir).digest('hex').slice(0, 10);
    socket = path.join('/tmp', `aicli-podman-${process.getuid?.() ?? 'u'}-${hash}`, 'podman.sock');
  }
  const volatile = path.join(dir, 'run');
  return {
    dir,
    socket,
    host: `unix://${socket}`,
    graphRoot: path.join(dir, 'storage'),
    volatile,
    runRoot: path.join(volatile, 'storage'),
    tmpDir: path.join(volatile, 'libpod'),
    networkDir: path.join(dir, 'networks'),
    bigTmp: path.join(dir, 'tmp'),
    hiddenDir: path.join(dir, 'hidden'),
    containersConf: path.join(dir, 'containers.conf'),
    storageConf: path.join(dir, 'storage.conf'),
    registriesConf: path.join(dir, 'registries.conf'),
    pidfile: path.join(dir, 'podman.pid'),
    mntnsFile: path.join(dir, 'podman.mntns'),
    logFile: path.join(dir, 'podman.log'),
    lockFile: path.join(dir, 'podman.lock'),
  };
}

/** @param {string} s @returns {string} a TOML basic string */
const toml = (s) => JSON.stringify(s);

/**
 * Our containers.conf (CONTAINERS_CONF: the ONLY file podman then reads; conmon passes it
 * on to `podman container cleanup`). What is not here keeps podman's built-in default.
 * @param {PodmanPaths} paths
 * @param {{ catatonit: string | null, runsc: string | null, ulimits: string[] }} programs
 */
function containersConf(paths, { catatonit, runsc, ulimits }) {
  return [
    '# Written by scripts/podman.mjs: the private Podman engine of aicli-workspaces.',
    '[containers]',
    // no journald here; the Docker API's logs endpoint reads k8s-file logs
    'log_driver = "k8s-file"',
    ...(catatonit ? [`init_path = ${toml(catatonit)}`] : []),
    // Rootful podman gives every container nofile and nproc 1048576 unless told (-1 means
    // unlimited, not "the current maximum", in 4.3); without CAP_SYS_RESOURCE in the bounding
    // set (this sandbox) runc then fails "error setting rlimit type 7". dockerd's containers
    // inherit its limits: ours get the service's own, explicitly (see startService).
    `default_ulimits = [${ulimits.map((u) => toml(u)).join(', ')}]`,
    '',
    '[network]',
    'network_backend = "netavark"',
    `network_config_dir = ${toml(paths.networkDir)}`,
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = ${toml(path.join(paths.tmpDir, 'events', 'events.log'))}`,
    `tmp_dir = ${toml(paths.tmpDir)}`,
    `static_dir = ${toml(path.join(paths.graphRoot, 'libpod'))}`,
    `volume_path = ${toml(path.join(paths.graphRoot, 'volumes'))}`,
    'runtime = "runc"',
    // An exec's conmon (two processes) waits this long after the exec ends, for an API client to
    // read its exit code (default 300 s: hundreds of idle conmons in a test run); ours read it at once.
    'exit_command_delay = 15',
    // podman's default is crun first; Debian's crun fails on this cgroup v1 host
    ...(runsc ? ['', '[engine.runtimes]', `runsc = [${toml(runsc)}]`, `runc = ["/usr/sbin/runc", "/usr/bin/runc"]`] : []),
    '',
  ].join('\n');
}

/**
 * `nofile=hard:hard` and `nproc=hard:hard` of a process (what dockerd's containers inherit).
 * @param {number | 'self'} pid
 * @returns {string[]}
 */
function ulimitsOf(pid) {
  /** @type {string[]} */
  const out = [];
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return out;
  }
  for (const [label, name] of [
    ['Max open files', 'nofile'],
    ['Max processes', 'nproc'],
  ]) {
    const m = new RegExp(`^${label}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(text);
    if (m && m[2] !== 'unlimited') out.push(`${name}=${m[2]}:${m[2]}`);
  }
  return out;
}

/** @param {PodmanPaths} paths */
function storageConf(paths) {
  return [
    '# Written by scripts/podman.mjs (CONTAINERS_STORAGE_CONF). The service also gets --root/--runroot/--storage-driver,',
    '# which conmon hands on to `podman container cleanup` (it does not pass this file on).',
    '[storage]',
    'driver = "overlay"',
    `graphroot = ${toml(paths.graphRoot)}`,
    `runroot = ${toml(paths.runRoot)}`,
    '',
  ].join('\n');
}

/** No registry at all: short names never expand, and the usual ones are blocked (this machine is offline). */
function registriesConf() {
  const blocked = ['docker.io', 'quay.io', 'ghcr.io', 'gcr.io', 'registry.k8s.io', 'registry.fedoraproject.org', 'registry.access.redhat.com'];
  return [
    '# Written by scripts/podman.mjs (CONTAINERS_REGISTRIES_CONF): offline, nothing is pulled.',
    'unqualified-search-registries = []',
    ...blocked.flatMap((location) => ['', '[[registry]]', `location = ${toml(location)}`, 'blocked = true']),
    '',
  ].join('\n');
}

/** @param {PodmanPaths} paths @returns {NodeJS.ProcessEnv} */
function podmanEnv(paths) {
  return {
    ...process.env,
    PATH: pathWithSbin(),
    CONTAINERS_CONF: paths.containersConf,
    CONTAINERS_STORAGE_CONF: paths.storageConf,
    CONTAINERS_REGISTRIES_CONF: paths.registriesConf,
    TMPDIR: paths.bigTmp,
  };
}

/** @param {PodmanPaths} paths @returns {string[]} podman's global flags (conmon's exit command repeats them) */
function globalFlags(paths) {
  return [
    ...['--root', paths.graphRoot, '--runroot', paths.runRoot, '--storage-driver', 'overlay'],
    ...['--tmpdir', paths.tmpDir, '--network-config-dir', paths.networkDir],
    ...['--events-backend', 'file', '--cgroup-manager', 'cgroupfs', '--runtime', 'runc'],
  ];
}

/**
 * Runs in the new mount namespace (argv: pairs of `source target`, then `--`, then the
 * command): a tmpfs over /dev/shm and over our volatile folder, our folders bound over the
 * hidden host paths, then exec (same pid).
 */
const NAMESPACE_SETUP = `set -eu
volatile=$1; shift
mount -t tmpfs -o mode=0755,size=64m aicli-podman-shm /dev/shm
mount -t tmpfs -o mode=0700,size=256m aicli-podman-run "$volatile"
while [ "$1" != "--" ]; do
  [ -d "$2" ] || mkdir -p "$2"
  mount --bind "$1" "$2"
  shift 2
done
shift
exec "$@"`;

/**
 * `unshare --mount --propagation slave sh -c NAMESPACE_SETUP … -- command…`: the argv that
 * runs `command` in a fresh private namespace of ours.
 * @param {PodmanPaths} paths
 * @param {string[]} command
 */
function inNewNamespace(paths, command) {
  const unshare = which('unshare');
  if (!unshare) throw new Error('`unshare` (util-linux) is needed to give podman a mount namespace of its own');
  const binds = HIDDEN.flatMap(([target, name]) => [path.join(paths.hiddenDir, name), target]);
  return [unshare, '--mount', '--propagation', 'slave', '--', '/bin/sh', '-c', NAMESPACE_SETUP, 'aicli-podman-ns', paths.volatile, ...binds, '--', ...command];
}

/** @param {PodmanPaths} paths */
function makeFolders(paths) {
  for (const d of [paths.dir, paths.graphRoot, paths.volatile, paths.networkDir, paths.bigTmp, path.dirname(paths.socket)]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  for (const [, name] of HIDDEN) fs.mkdirSync(path.join(paths.hiddenDir, name), { recursive: true, mode: 0o700 });
}

/** @param {number} pid @returns {string | null} e.g. `mnt:[4026532301]` */
function mountNamespace(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/**
 * True if `pid` is a live podman service on our storage (guards against pid reuse).
 * @param {number | null} pid
 * @param {PodmanPaths} paths
 */
export function isOurPodman(pid, paths) {
  const info = procInfo(pid);
  if (!info || path.basename(info.argv[0] || '') !== 'podman') return false;
  return info.argv.includes(paths.graphRoot) && info.argv.includes('service');
}

/**
 * Every live process in the service's mount namespace (conmon, aardvark-dns, a cleanup
 * podman, the service itself) and every conmon of ours wherever it runs, with the
 * containers under them. Empty once the namespace is gone.
 * @param {PodmanPaths} paths
 * @returns {number[]}
 */
export function processesOfOurs(paths) {
  let ns = null;
  try {
    ns = fs.readFileSync(paths.mntnsFile, 'utf8').trim() || null;
  } catch {
    // never started, or cleaned
  }
  const hostNs = mountNamespace(process.pid);
  const pids = allPids().filter((pid) => pid !== process.pid);
  const ours = new Set(
    pids.filter((pid) => {
      if (ns && ns !== hostNs && mountNamespace(pid) === ns) return true;
      const info = procInfo(pid);
      return info?.comm === 'conmon' && info.argv.some((a) => a.startsWith(`${paths.dir}/`));
    }),
  );
  // the containers: children of conmon (their init ends its pid namespace)
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ours.has(ppid) && procInfo(ppid)?.comm === 'conmon') ours.add(pid);
    } catch {
      // gone
    }
  }
  return [...ours];
}

/** @param {PodmanPaths} paths @returns {string[]} host mounts under our folder (there should be none) */
export function hostMountsOfOurs(paths) {
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => (l.split(' ')[1] || '').replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))))
      .filter((m) => m === paths.dir || m.startsWith(`${paths.dir}/`));
  } catch {
    return [];
  }
}

/**
 * Starts the service detached, logging to paths.logFile, and waits until /_ping answers.
 * @param {PodmanPaths} paths
 * @param {Say} say
 * @returns {Promise<number>} its pid
 */
async function startService(paths, say) {
  const first = await spawnService(paths, say, ulimitsOf('self'));
  // podman lowers its own nproc (here to kernel.pid_max, 32768) after reading the config:
  // containers may not ask for more than the service has, so restart once with its limits.
  const actual = ulimitsOf(first);
  const written = ulimitsOf('self');
  if (actual.join(' ') === written.join(' ')) return first;
  say(`the service runs with ${actual.join(' ')} (not ${written.join(' ')}): restarting it with those as the containers' limits`);
  await terminate(first, { graceMs: 5000, say, what: `podman ${first}` });
  return spawnService(paths, say, actual);
}

/**
 * @param {PodmanPaths} paths
 * @param {Say} say
 * @param {string[]} ulimits the containers' default nofile / nproc
 * @returns {Promise<number>} its pid
 */
async function spawnService(paths, say, ulimits) {
  const podman = which('podman');
  if (!podman) throw new Error('podman is not installed (Debian/Ubuntu: `sudo apt-get install podman catatonit`)');
  const missing = ['conmon', 'runc'].filter((p) => !which(p));
  const catatonit = which('catatonit') ?? (fs.existsSync('/usr/libexec/podman/catatonit') ? '/usr/libexec/podman/catatonit' : null);
  if (!catatonit) missing.push('catatonit');
  if (!fs.existsSync('/usr/lib/podman/netavark') && !which('netavark')) missing.push('netavark');
  if (missing.length) throw new Error(`podman needs ${missing.join(', ')} (Debian/Ubuntu: \`sudo apt-get install ${missing.join(' ')}\`)`);
  makeFolders(paths);
  fs.writeFileSync(paths.containersConf, containersConf(paths, { catatonit, runsc: which('runsc'), ulimits }));
  fs.writeFileSync(paths.storageConf, storageConf(paths));
  fs.writeFileSync(paths.registriesConf, registriesConf());
  fs.rmSync(paths.socket, { force: true });
  try {
    fs.renameSync(paths.logFile, `${paths.logFile}.1`);
  } catch {
    // no earlier log
  }
  const argv = inNewNamespace(paths, [
    podman,
    ...globalFlags(paths),
    '--log-level',
    process.env.AICLI_PODMAN_LOG_LEVEL || 'warn',
    'system',
    'service',
    '--time=0',
    paths.host,
  ]);
  const out = fs.openSync(paths.logFile, 'a');
  fs.writeSync(out, `# ${new Date().toISOString()} ${argv.map((a) => (a.includes('\n') ? '<namespace setup>' : a)).join(' ')}\n`);
  let child;
  try {
    // cwd: conmon writes an `oom` file into its working directory when an exec is OOM-killed
    child = spawn(argv[0], argv.slice(1), { detached: true, cwd: paths.dir, stdio: ['ignore', out, out], env: podmanEnv(paths) });
  } finally {
    fs.closeSync(out);
  }
  /** @type {{ code?: number | null, signal?: NodeJS.Signals | null, error?: Error } | null} */
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.on('error', (error) => (exited = { error }));
  child.unref();
  const pid = /** @type {number} */ (child.pid);
  fs.writeFileSync(paths.pidfile, `${pid}\n`);
  const t0 = Date.now();
  say(`starting podman system service (pid ${pid}, own mount namespace) on ${paths.host}; log ${paths.logFile}`);
  let recordedNs = false;
  while (!(await pingEngine(paths.host, 2000))) {
    if (!recordedNs && isOurPodman(pid, paths)) {
      // unshare and sh exec in place: once the pid is podman, it is in the new namespace
      fs.writeFileSync(paths.mntnsFile, `${mountNamespace(pid)}\n`);
      recordedNs = true;
    }
    if (exited || Date.now() - t0 > READY_TIMEOUT_MS) {
      const e = /** @type {{ code?: number | null, signal?: NodeJS.Signals | null, error?: Error } | null} */ (exited);
      const why = e
        ? e.error
          ? `could not run ${argv[0]}: ${e.error.message}`
          : `podman exited (${e.signal ?? `code ${e.code}`})`
        : `podman did not answer within ${READY_TIMEOUT_MS / 1000} s`;
      if (!e) await terminate(pid, { graceMs: 5000, say, what: `podman ${pid}` });
      const logTail = tailOfFile(paths.logFile);
      throw new Error(`${why} (engine at ${paths.host}); see ${paths.logFile}:\n${logTail}`);
    }
    await sleep(100);
  }
  if (!recordedNs) fs.writeFileSync(paths.mntnsFile, `${mountNamespace(pid)}\n`);
  say(`podman ${pid} answers after ${ms(t0)}`);
  return pid;
}

/**
 * Stops every container of ours through the API (podman unmounts their storage and tears
 * their networks down on the way), then the service; SIGKILLs whatever of ours is left.
 * @param {PodmanPaths} paths
 * @param {Say} say
 * @returns {Promise<number | null>} the service's pid if it ran
 */
async function stopService(paths, say) {
  const pid = readPid(paths.pidfile);
  const running = pid !== null && isOurPodman(pid, paths);
  if (running && (await pingEngine(paths.host, 2000))) {
    const t0 = Date.now();
    try {
      const r = await request(paths.host, { path: '/v1.41/containers/json', timeoutMs: 10_000 });
      /** @type {{ Id: string }[]} */
      const list = r.status === 200 ? JSON.parse(r.body) : [];
      await Promise.all(
        list.map((c) => request(paths.host, { method: 'POST', path: `/v1.41/containers/${c.Id}/stop?t=5`, timeoutMs: 20_000 }).catch(() => null)),
      );
      if (list.length) say(`stopped ${list.length} running container(s) (${ms(t0)})`);
    } catch (e) {
      say(`could not stop the containers through the API: ${errorMessage(e)}`);
    }
  }
  if (running) {
    const t0 = Date.now();
    await terminate(pid, { graceMs: STOP_GRACE_MS, say, what: `podman ${pid}` });
    say(`stopped podman ${pid} (${ms(t0)})`);
  }
  const left = processesOfOurs(paths);
  if (left.length) {
    say(`killing ${left.length} leftover process(es) of ours: ${left.map((p) => `${p} ${procInfo(p)?.comm ?? '?'}`).join(', ')}`);
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const t1 = Date.now();
    while (left.some(isAlive) && Date.now() - t1 < 5000) await sleep(50);
  }
  const mounts = hostMountsOfOurs(paths);
  if (mounts.length) say(`WARNING: mounts under ${paths.dir} on the host: ${mounts.join(', ')}`);
  fs.rmSync(paths.pidfile, { force: true });
  fs.rmSync(paths.socket, { force: true });
  return running ? pid : null;
}

/**
 * `podman system reset --force` on our storage, in a namespace of its own like the
 * service's, then removes what it leaves (our folders only; configs and log are kept).
 * @param {PodmanPaths} paths
 * @param {Say} say
 */
async function resetStorage(paths, say) {
  if (processesOfOurs(paths).length) throw new Error('processes of ours still run: not resetting');
  const podman = which('podman');
  if (podman && fs.existsSync(paths.graphRoot)) {
    makeFolders(paths);
    const argv = inNewNamespace(paths, [podman, ...globalFlags(paths), 'system', 'reset', '--force']);
    const r = spawnSync(argv[0], argv.slice(1), { env: podmanEnv(paths), encoding: 'utf8' });
    say(`podman system reset --force: exit ${r.status}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
  }
  for (const d of [paths.graphRoot, paths.volatile, paths.networkDir, paths.bigTmp, paths.hiddenDir]) fs.rmSync(d, { recursive: true, force: true });
  fs.rmSync(paths.mntnsFile, { force: true });
  say(`removed our storage under ${paths.dir}`);
}

/** @param {string} line an iptables-save rule @returns {string[]} its words, "quoted strings" as one */
function ruleWords(line) {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]));
}

/**
 * netavark leaves its chains (NETAVARK_*, NETAVARK-*) and the jumps to them in the host's
 * filter and nat tables after the last network is gone. Removes them, but only when no podman,
 * conmon, netavark or aardvark-dns runs anywhere on this host (the system's podman shares them).
 * @param {Say} say
 */
function removeNetavarkRules(say) {
  const busy = allPids().filter((pid) => ['podman', 'conmon', 'netavark', 'aardvark-dns'].includes(procInfo(pid)?.comm ?? ''));
  if (busy.length) return say(`netavark's iptables chains kept: podman processes run (${busy.join(', ')})`);
  const iptables = which('iptables');
  const save = which('iptables-save');
  if (!iptables || !save) return;
  let removed = 0;
  for (const table of ['filter', 'nat']) {
    const lines = spawnSync(save, ['-t', table], { encoding: 'utf8' }).stdout?.split('\n') ?? [];
    const chains = lines.filter((l) => /^:NETAVARK[-_]/.test(l)).map((l) => l.slice(1).split(' ')[0]);
    const jumps = lines.filter((l) => l.startsWith('-A ') && / -j NETAVARK[-_]\S+$/.test(l) && !/^-A NETAVARK[-_]/.test(l));
    for (const rule of jumps) if (spawnSync(iptables, ['-w', '-t', table, '-D', ...ruleWords(rule).slice(1)]).status === 0) removed++;
    for (const chain of chains) spawnSync(iptables, ['-w', '-t', table, '-F', chain]);
    for (const chain of chains) if (spawnSync(iptables, ['-w', '-t', table, '-X', chain]).status === 0) removed++;
  }
  if (removed) say(`removed ${removed} netavark iptables chain(s) and jump(s) left on the host`);
}

/**
 * Starts our private podman (or finds it running). Linux and root only.
 * @param {{ log?: (line: string) => void, dir?: string, baseImage?: boolean }} [opts]
 * @returns {Promise<{ host: string, startedByUs: boolean, pid: number | null }>}
 */
export async function startPodman({ log = console.error, dir, baseImage = true } = {}) {
  const say = podmanSay(log);
  const paths = podmanPaths(dir);
  if (process.platform !== 'linux' || !isRoot()) throw new Error('the private podman needs Linux and root (rootless podman is another setup)');
  const result = await withLock(paths.lockFile, say, async () => {
    if (await pingEngine(paths.host)) {
      say(`private podman already answers at ${paths.host}`);
      return { host: paths.host, startedByUs: false, pid: readPid(paths.pidfile) };
    }
    await stopService(paths, say); // a dead service's leftovers
    const pid = await startService(paths, say);
    return { host: paths.host, startedByUs: true, pid };
  });
  if (baseImage) {
    try {
      await buildBaseImage(result.host, { log });
    } catch (e) {
      if (result.startedByUs) await withLock(paths.lockFile, say, () => stopService(paths, say));
      throw e;
    }
  }
  return result;
}

/**
 * Stops our private podman; with `reset`, also removes its storage (images, containers,
 * volumes) and netavark's leftover iptables chains. What the tests call in their after hook.
 * @param {{ log?: (line: string) => void, reset?: boolean }} [opts]
 */
export async function stopPodman({ log = console.error, reset = false } = {}) {
  const say = podmanSay(log);
  const paths = podmanPaths();
  await withLock(paths.lockFile, say, async () => {
    const pid = await stopService(paths, say);
    if (!pid) say(`no private podman of ours is running (pid file ${paths.pidfile})`);
    if (reset) {
      await resetStorage(paths, say);
      removeNetavarkRules(say);
    }
  });
}

/** @param {Say} say @returns {Promise<number>} */
async function cliStatus(say) {
  const paths = podmanPaths();
  const pid = readPid(paths.pidfile);
  const up = await pingEngine(paths.host);
  const v = up ? await engineVersion(paths.host) : null;
  say(
    `podman      ${paths.host}: ${up ? 'answers' : 'no answer'}${v ? ` (${v.version}, API ${v.api})` : ''}${pid ? (isOurPodman(pid, paths) ? `, pid ${pid}` : `, stale pid file (${pid})`) : ''}`,
  );
  const ours = processesOfOurs(paths);
  say(`processes   ${ours.length ? ours.map((p) => `${p} ${procInfo(p)?.comm ?? '?'}`).join(', ') : 'none'}`);
  const mounts = hostMountsOfOurs(paths);
  say(`host mounts ${mounts.length ? mounts.join(', ') : 'none under our folder'}`);
  if (up) {
    const img = await inspectBaseImage(paths.host).catch(() => null);
    say(`base image  ${BASE_IMAGE}: ${img ? `present ${img.id.replace(/^sha256:/, '').slice(0, 12)}` : 'missing'}`);
  }
  return up ? 0 : 3;
}

/**
 * `cli <args…>`: the podman CLI on our storage, inside the running service's mount namespace
 * (its run state lives on a tmpfs only that namespace sees), e.g. `cli ps -a`.
 * @param {string[]} args
 * @returns {number}
 */
function cliPodman(args) {
  const paths = podmanPaths();
  const pid = readPid(paths.pidfile);
  if (!pid || !isOurPodman(pid, paths)) throw new Error('the private podman is not running (node scripts/podman.mjs start)');
  const nsenter = which('nsenter');
  const podman = which('podman');
  if (!nsenter || !podman) throw new Error('nsenter (util-linux) and podman are needed');
  const r = spawnSync(nsenter, ['--mount', '--target', String(pid), '--', podman, ...globalFlags(paths), ...args], { env: podmanEnv(paths), stdio: 'inherit' });
  return r.status ?? 1;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>}
 */
export async function main(argv) {
  const say = podmanSay(console.error);
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start': {
      const engine = await startPodman({ log: console.error });
      console.log(`DOCKER_HOST=${engine.host}`);
      return 0;
    }
    case 'stop':
      await stopPodman({ log: console.error, reset: rest.includes('--reset') });
      return 0;
    case 'status':
      return cliStatus(say);
    case 'build-image': {
      const engine = await startPodman({ log: console.error, baseImage: false });
      await buildBaseImage(engine.host, { log: console.error, force: rest.includes('--force') });
      return 0;
    }
    case 'cli':
      return cliPodman(rest[0] === '--' ? rest.slice(1) : rest);
    default:
      say('usage: node scripts/podman.mjs start | stop [--reset] | status | build-image [--force] | cli <podman args…>');
      say('  start        start the private podman service (own mount namespace), build aicli/base:latest, print DOCKER_HOST');
      say(
        "  stop         stop its containers and the service; --reset also removes its images, containers and volumes, and netavark's leftover iptables chains",
      );
      say('  status       whether it answers, its processes, mounts left on the host, the base image');
      say('  cli …        the podman CLI on our storage inside its namespace (e.g. `cli ps -a`)');
      return cmd ? 2 : 0;
  }
}

const invokedDirectly = (() => {
  try {
    return Boolean(process.argv[1]) && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      for (const line of String(e?.message ?? e).split('\n')) console.error(`[podman] ${line}`);
      process.exitCode = 1;
    },
  );
}
