// bench/egress: what the egress gateway costs a workspace, in one run. Three sides, each a
// container from aicli/base:latest with the same limits, talking to the same "fake internet"
// host (a network namespace of ours in 198.18.0.0/15, test/support/fakeInternet.ts):
//   direct     a plain container on an ordinary user-defined bridge made by the bench (no gateway)
//   open       a workspace (WorkspaceService.create, `standard`, egress `open`): through its gateway
//   allowlist  a workspace with egress `allowlist` and `bench.test` listed, the name given to the
//              gateway's own resolver through its hosts file (as test/integration/egress.test.ts does)
// Connect latency: busybox `nc` to a greeting listener (TCP connect, greeting, close), timed inside
// the container by busybox `ts` (µs stamps on lines written before and after each nc), so no exec
// overhead is counted. Throughput: 100 MB from a bulk listener into /dev/null, timed the same way.
// Rounds alternate the order (direct, open, allowlist, then the reverse: ABBA for three sides).
// Per transfer it also reads the CPU the box's and the gateway's cgroups used and were throttled,
// and the machine's softirq time, to say where the time goes.
//
// Network safety: traffic goes only to our own namespace and containers. Nothing here looks up a
// name outside: the direct side uses addresses only and its DNS points at the fake host; each
// gateway gets an extra rule that rejects its own queries to the engine's resolver (127.0.0.11),
// so a name the hosts file does not answer can never be forwarded upstream.
//
// Everything is labelled aicli.bench=true, aicli.bench.script=egress and the run id, and removed at
// the end, on failure and on SIGINT/SIGTERM, with the namespace.
//
// With --profile, one more transfer per side runs under `perf record -a` (the whole machine) and
// the kernel functions it spent the most time in are printed per side.
//
//   node bench/egress.mjs [--rounds 20] [--connects 40] [--mb 100] [--max-load 1.5] [--profile] [--no-compile]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ensureEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    connects: { type: 'string', default: '40' },
    mb: { type: 'string', default: '100' },
    'max-load': { type: 'string', default: '1.5' },
    profile: { type: 'boolean', default: false },
    'no-compile': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const CONNECTS = Number(args.connects);
const BULK_BYTES = Number(args.mb) * 1_000_000;
const MAX_LOAD = Number(args['max-load']);
const IMAGE = 'aicli/base:latest';
const BENCH_LABEL = 'aicli.bench';
const SCRIPT_LABEL = 'aicli.bench.script';
const RUN_LABEL = 'aicli.bench.run';
const runId = `${process.pid}-${Date.now().toString(36)}`;
const benchLabels = { [BENCH_LABEL]: 'true', [SCRIPT_LABEL]: 'egress', [RUN_LABEL]: runId };
const NAME = 'bench.test';
const GREETING_PORT = 8080;
const BULK_PORT = 9000;

if (!args['no-compile']) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
}
const out = (...p) => join(root, 'out', ...p);
const Docker = require(join(root, 'node_modules', 'dockerode'));
const { EngineConnection } = require(out('src', 'engine', 'connection.js'));
const { defaultEngineSettings, resolveEngineTarget } = require(out('src', 'engine', 'target.js'));
const { defaultPortPolicy } = require(out('src', 'isolation', 'ports.js'));
const { WorkspaceService } = require(out('src', 'workspace', 'service.js'));
const { gatewayNameFor } = require(out('src', 'workspace', 'gateway.js'));
const { createFakeInternet } = require(out('test', 'support', 'fakeInternet.js'));

// ---------------------------------------------------------------------------------------
// helpers

const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Median (mean of the middle two for an even count). */
const median = (xs) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest rank. */
const percentile = (xs, p) => sorted(xs)[Math.max(0, Math.ceil(p * xs.length) - 1)];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const ms = (x) => `${x.toFixed(2)} ms`;
const pad = (s, n) => String(s).padEnd(n);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

/** Waits (up to 15 min) until the 1-minute load is at most MAX_LOAD: other sessions test on this machine. */
async function waitForQuiet(what) {
  const deadline = Date.now() + 15 * 60_000;
  let said = false;
  while (loadavg()[0] > MAX_LOAD && Date.now() < deadline) {
    if (!said) console.log(`  load ${loadavg()[0].toFixed(2)} > ${MAX_LOAD}: waiting before ${what}`);
    said = true;
    await sleep(10_000);
  }
  return loadavg()[0];
}

/** user, system, softirq, busy and total jiffies of the whole machine (/proc/stat), in ms. */
function machineCpu() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const tick = 10; // USER_HZ 100
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return {
    system: system * tick,
    softirq: softirq * tick,
    busy: (total - idle - iowait) * tick,
    user: (user + nice) * tick,
    irq: irq * tick,
    steal: steal * tick,
  };
}

// ---------------------------------------------------------------------------------------
// engine, clients, cleanup

const engine = await ensureEngine({ log: () => {} });
const target = resolveEngineTarget({ ...defaultEngineSettings }, process.env, homedir());
if (target.spec.scheme !== 'unix')
  throw new Error(`bench/egress needs a local unix-socket engine (the fake internet is a namespace on this machine), got ${target.host}`);
const connection = await EngineConnection.connect(target);
const admin = new Docker({ socketPath: target.spec.socketPath, version: `v${connection.apiVersion}` });

const folders = new Set();
let internet;

/** Runs `sh -c script` in a container; stdout, stderr, exit code. */
async function shell(containerId, script, user) {
  const exec = await admin
    .getContainer(containerId)
    .exec({ Cmd: ['/bin/busybox', 'sh', '-c', script], AttachStdout: true, AttachStderr: true, ...(user ? { User: user } : {}) });
  const stream = await exec.start({ hijack: true, stdin: false });
  let stdout = '';
  let stderr = '';
  const sink = (append) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  admin.modem.demuxStream(
    stream,
    sink((t) => (stdout += t)),
    sink((t) => (stderr += t)),
  );
  await new Promise((done, fail) => {
    stream.once('end', done);
    stream.once('error', fail);
  });
  const { ExitCode } = await exec.inspect();
  return { stdout, stderr, code: ExitCode };
}

const pidAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

/**
 * Removes what this run made; with `leftovers`, also what earlier egress runs whose process is
 * gone left behind (never another live run's, nor other benches').
 */
async function sweep(leftovers = false) {
  const filters = JSON.stringify({ label: leftovers ? [`${SCRIPT_LABEL}=egress`] : [`${RUN_LABEL}=${runId}`] });
  const ours = (labels) => labels?.[RUN_LABEL] === runId || !pidAlive(Number(String(labels?.[RUN_LABEL] ?? '').split('-')[0]));
  let containers = 0;
  let networks = 0;
  for (const info of await admin.listContainers({ all: true, filters })) {
    if (!ours(info.Labels)) continue;
    await admin
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .then(
        () => containers++,
        () => undefined,
      );
  }
  for (const info of await admin.listNetworks({ filters })) {
    if (!ours(info.Labels)) continue;
    await admin
      .getNetwork(info.Id)
      .remove()
      .then(
        () => networks++,
        () => undefined,
      );
  }
  for (const folder of [...folders]) {
    rmSync(folder, { recursive: true, force: true });
    folders.delete(folder);
  }
  return { containers, networks };
}

function removeNamespace() {
  try {
    internet?.remove();
  } catch {
    // already gone
  }
  internet = undefined;
}
process.on('exit', removeNamespace);

let interrupted = false;
let signals = 0;
// First signal: the run stops after the measurement in flight (a second at most) and its
// `finally` sweeps. Second: sweep now and exit. Third: exit at once (the namespace is removed on
// exit; the next run's opening sweep removes what is left on the engine).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    signals++;
    interrupted = true;
    if (signals === 1) {
      console.error(`\n${signal}: finishing the measurement in flight, then sweeping run ${runId} (again to sweep now)`);
    } else if (signals === 2) {
      console.error(`${signal}: sweeping run ${runId} now (again to quit at once)`);
      sweep()
        .catch((err) => console.error(`sweep failed: ${err.message}`))
        .then(() => engine.stop())
        .finally(() => process.exit(130));
    } else {
      process.exit(130);
    }
  });
}

// ---------------------------------------------------------------------------------------
// setup (not timed)

/** A fake-internet namespace name no one else (an integration test) is using right now. */
function freeFakeTag() {
  const present = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (let i = 0; i < 250; i++) {
    const tag = (process.pid + i) % 250;
    if (!new RegExp(`^aicli-fake-${tag + 1}\\b`, 'm').test(present)) return tag;
  }
  throw new Error('no free aicli-fake-<n> namespace name');
}

/** A free 172.31.x.0/24 for the direct side's bridge (outside the workspaces' 172.20.0.0/14). */
async function freeDirectSubnet() {
  const toInt = (ip) => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const used = (await admin.listNetworks())
    .flatMap((n) => n.IPAM?.Config ?? [])
    .map((c) => c.Subnet ?? '')
    .filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s))
    .map((s) => {
      const [ip, bits] = s.split('/');
      const size = 2 ** (32 - Number(bits));
      const start = Math.floor(toInt(ip) / size) * size;
      return [start, start + size - 1];
    });
  for (let x = 255; x >= 0; x--) {
    const start = toInt(`172.31.${x}.0`);
    if (!used.some(([a, b]) => a <= start + 255 && start <= b)) return `172.31.${x}.0/24`;
  }
  throw new Error('no free 172.31.x.0/24 for the direct network');
}

/** Rejects the gateway's own DNS queries to the engine's resolver: no name ever leaves the machine. */
async function guardGatewayDns(gatewayId) {
  const rules = [
    'add table ip aiclibench',
    'add chain ip aiclibench out { type filter hook output priority -300; policy accept; }',
    'add rule ip aiclibench out ip daddr 127.0.0.11 meta l4proto { tcp, udp } th dport 53 counter reject',
  ];
  for (const rule of rules) {
    const r = await shell(gatewayId, `/usr/sbin/nft '${rule}'`);
    if (r.code !== 0) throw new Error(`nft in the gateway failed (${rule}): ${r.stderr}`);
  }
}

/** Packets the guard rejected: DNS queries the gateway would have sent upstream. */
async function guardCount(gatewayId) {
  const r = await shell(gatewayId, '/usr/sbin/nft list chain ip aiclibench out');
  return Number(/counter packets (\d+)/.exec(r.stdout)?.[1] ?? NaN);
}

/** Waits until `nc` from the container reads the greeting from `host`. */
async function waitForGreeting(containerId, host) {
  let last;
  for (let i = 0; i < 50; i++) {
    last = await shell(containerId, `nc -w 2 ${host} ${GREETING_PORT} </dev/null`);
    if (last.stdout.trim() === 'bench-greeting') return;
    await sleep(200);
  }
  throw new Error(`${containerId.slice(0, 12)} never read the greeting from ${host}: ${last.stdout}${last.stderr}`);
}

/** The container's cgroup v1 directories (cpuacct, cpu), found from its init process. */
function cgroupOf(pid) {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const path = (controller) => lines.map((l) => l.split(':')).find((p) => p[1]?.split(',').includes(controller))?.[2];
  const cpuacct = path('cpuacct');
  const cpu = path('cpu');
  if (!cpuacct || !cpu) return undefined;
  return { cpuacct: `/sys/fs/cgroup/cpuacct${cpuacct}`, cpu: `/sys/fs/cgroup/cpu${cpu}` };
}

/** CPU used (ms) and throttled (ms, periods) by a cgroup so far. */
function cgroupCpu(cgroup) {
  if (!cgroup) return undefined;
  try {
    const usage = Number(readFileSync(join(cgroup.cpuacct, 'cpuacct.usage'), 'utf8')) / 1e6;
    const stat = Object.fromEntries(
      readFileSync(join(cgroup.cpu, 'cpu.stat'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')),
    );
    return { usage, throttledMs: Number(stat.throttled_time) / 1e6, throttledPeriods: Number(stat.nr_throttled) };
  } catch {
    return undefined;
  }
}

/** The bulk listener's python process (started by fakeInternet.ts in our namespace). */
function senderPid(address) {
  for (const entry of execFileSync('ls', ['/proc'], { encoding: 'utf8' }).split('\n')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('python3') && argv.includes(address) && argv.includes(String(BULK_PORT)) && argv.includes(String(BULK_BYTES))) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** CPU (ms, user + system, 10 ms ticks; threads that ended included) of a process so far. */
function processCpu(pid) {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { usage: (Number(fields[11]) + Number(fields[12])) * 10, system: Number(fields[12]) * 10 };
  } catch {
    return undefined;
  }
}

const delta = (after, before) => (after && before ? Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]])) : undefined);

// ---------------------------------------------------------------------------------------
// the measurements (timed inside the container)

/** `s`/`e <rc>` line pairs stamped by busybox ts: one duration (ms) per pair. */
function stampedDurations(text) {
  const durations = [];
  const failures = [];
  let start;
  for (const line of text.trim().split('\n')) {
    const [stamp, mark, rc] = line.trim().split(/\s+/);
    if (mark === 's') start = Number(stamp);
    else if (mark === 'e' && start !== undefined) {
      if (rc !== '0') failures.push(rc);
      else durations.push((Number(stamp) - start) * 1000);
      start = undefined;
    }
  }
  return { durations, failures };
}

/** CONNECTS connects from inside the container; per-connect durations in ms. */
async function measureConnects(containerId, host) {
  const script = `i=0; while [ $i -lt ${CONNECTS} ]; do echo s; nc -w 3 ${host} ${GREETING_PORT} </dev/null >/dev/null; echo "e $?"; i=$((i+1)); done | ts '%.s'`;
  const r = await shell(containerId, script);
  const { durations, failures } = stampedDurations(r.stdout);
  if (failures.length || durations.length !== CONNECTS)
    throw new Error(`connects to ${host}: ${durations.length} of ${CONNECTS} answered (exit codes ${failures.join(' ')}) ${r.stderr}`);
  return durations;
}

/** One BULK_BYTES transfer into /dev/null inside the container; ms, and the CPU it cost where. */
async function measureTransfer(containerId, host, cgroups) {
  const script = `echo s; nc ${host} ${BULK_PORT} </dev/null >/dev/null; echo "e $?"`;
  const before = { box: cgroupCpu(cgroups.box), gateway: cgroupCpu(cgroups.gateway), machine: machineCpu(), sender: processCpu(sender) };
  const r = await shell(containerId, `(${script}) | ts '%.s'`);
  const after = { box: cgroupCpu(cgroups.box), gateway: cgroupCpu(cgroups.gateway), machine: machineCpu(), sender: processCpu(sender) };
  const { durations, failures } = stampedDurations(r.stdout);
  if (failures.length || durations.length !== 1) throw new Error(`transfer from ${host} failed (exit ${failures.join(' ')}): ${r.stderr}`);
  return {
    ms: durations[0],
    box: delta(after.box, before.box),
    gateway: delta(after.gateway, before.gateway),
    machine: delta(after.machine, before.machine),
    sender: delta(after.sender, before.sender),
  };
}

/** The whole transfer arrives (checked once per side, untimed; also a warm-up). */
async function checkBulkBytes(containerId, host) {
  const r = await shell(containerId, `nc ${host} ${BULK_PORT} </dev/null | wc -c`);
  if (Number(r.stdout.trim()) !== BULK_BYTES)
    throw new Error(`${containerId.slice(0, 12)} read ${r.stdout.trim()} bytes from ${host}, not ${BULK_BYTES}: ${r.stderr}`);
}

/** One transfer under `perf record -a`; the top functions (self time, whole machine) and the share per group. */
async function profileTransfer(side) {
  const file = join(tmpdir(), `acb-egress-${runId}-${side.name}.perf`);
  const perf = spawn('perf', ['record', '-a', '-F', '1999', '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  await sleep(500);
  try {
    await measureTransfer(side.id, side.host, side.cgroups);
  } finally {
    perf.kill('SIGINT');
    await new Promise((done) => perf.once('exit', done));
  }
  const perfReport = (sort) =>
    execFileSync('perf', ['report', '-i', file, '--stdio', '--no-children', '--sort', sort, '--percent-limit', '0.2'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    });
  const report = perfReport('sym');
  const byCommand = perfReport('comm')
    .split('\n')
    .map((line) => /^\s+([\d.]+)%\s+(\S.*?)\s*$/.exec(line))
    .filter(Boolean)
    .slice(0, 7)
    .map(([, pct, comm]) => `${comm} ${Number(pct).toFixed(1)}%`);
  rmSync(file, { force: true });
  const rows = report
    .split('\n')
    .map((line) => /^\s+([\d.]+)%\s+\[([k.])\]\s+(\S+)/.exec(line))
    .filter(Boolean)
    .map(([, pct, space, sym]) => ({ pct: Number(pct), sym: space === 'k' ? sym : `(user) ${sym}` }));
  const groups = [
    ['conntrack', /^(nf_conntrack|nf_ct_|__nf_conntrack|nf_nat|hash_conntrack|ipv4_conntrack|nf_confirm)/],
    ['nftables', /^(nft_|nf_tables|__nft)/],
    ['iptables', /^(ipt_|ip_tables|xt_|ipt_do_table|iptable_)/],
    ['bridge', /^(br_|__br_|nf_bridge)/],
    ['veth', /^veth_/],
    ['ip forward/route', /^(ip_forward|ip_route|fib_|ip_rcv|ip_finish|ip_output|ip_sabotage|__ip_|ip_local|ip_rcv_core|dst_|ipv4_)/],
    ['tcp', /^(tcp_|__tcp)/],
    ['copy', /(copy_user|copy_to_iter|copy_from_iter|memcpy|rep_movs|_copy_|skb_copy)/],
    ['idle', /(default_idle|native_safe_halt|acpi_idle|cpuidle|pv_native_safe_halt|intel_idle|poll_idle)/],
  ];
  const share = Object.fromEntries(groups.map(([name]) => [name, 0]));
  for (const row of rows) {
    const group = groups.find(([, re]) => re.test(row.sym));
    if (group) share[group[0]] += row.pct;
  }
  return { top: rows.filter((r) => !r.sym.startsWith('(user)')).slice(0, 10), share, byCommand };
}

async function mtuOf(containerId) {
  const r = await shell(containerId, `ip -o link | awk '$2 != "lo:" { print $2, $5 }'`);
  return r.stdout.trim().replace(/\n/g, ', ');
}

// ---------------------------------------------------------------------------------------
// run

const sides = [];
let sender;
let upstreamByType = {};
const results = {};
let failed;
const loads = [];
try {
  const before = await sweep(true);
  if (before.containers || before.networks)
    console.error(`removed leftovers of an earlier run: ${before.containers} container(s), ${before.networks} network(s)`);
  const info = await admin.info();
  console.log(
    `engine ${target.host}: Docker ${connection.engineVersion.Version}, API ${connection.apiVersion}, ${info.NCPU} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()})`,
  );

  internet = createFakeInternet(freeFakeTag());
  await internet.listen(GREETING_PORT, 'bench-greeting');
  await internet.listen(BULK_PORT, 'bulk', BULK_BYTES);
  const fake = internet.address;
  sender = senderPid(fake);

  const policy = {
    defaultImage: IMAGE,
    defaultLevel: 'standard',
    resources: {},
    ports: defaultPortPolicy,
    mountEngineSocket: false,
    home: homedir(),
    labels: benchLabels,
  };
  const service = new WorkspaceService(
    async () => connection,
    () => policy,
  );
  const folder = () => {
    const f = realpathSync(mkdtempSync(join(tmpdir(), 'acb-egress-')));
    folders.add(f);
    return f;
  };

  // a) through the gateway
  const open = (await service.create({ folder: folder(), name: `bench-egress-open-${runId}`, level: 'standard', egress: 'open' })).workspace;
  const allow = (await service.create({ folder: folder(), name: `bench-egress-allow-${runId}`, level: 'standard', egress: 'allowlist', allow: [NAME] }))
    .workspace;
  for (const ws of [open, allow]) await guardGatewayDns(gatewayNameFor(ws.id));
  const allowGateway = gatewayNameFor(allow.id);
  const hosts = await shell(allowGateway, `echo "${fake} ${NAME}" >> /etc/hosts`);
  if (hosts.code !== 0) throw new Error(`could not name ${NAME} in the gateway: ${hosts.stderr}`);
  const hup = await shell(allowGateway, '/bin/busybox killall -HUP dnsmasq', 'nobody');
  if (hup.code !== 0) throw new Error(`SIGHUP to the gateway's dnsmasq failed: ${hup.stderr}`);

  // b) direct: same image, same limits (copied from the open workspace's box), an ordinary bridge
  const box = await admin.getContainer(open.containerId).inspect();
  const limitKeys = [
    'CpuPeriod',
    'CpuQuota',
    'NanoCpus',
    'CpuShares',
    'CpusetCpus',
    'Memory',
    'MemorySwap',
    'MemoryReservation',
    'PidsLimit',
    'BlkioWeight',
    'CapDrop',
    'CapAdd',
    'SecurityOpt',
    'ReadonlyRootfs',
    'Tmpfs',
    'Init',
    'IpcMode',
    'Ulimits',
    'Sysctls',
  ];
  const limits = Object.fromEntries(limitKeys.filter((k) => box.HostConfig[k] !== undefined && box.HostConfig[k] !== null).map((k) => [k, box.HostConfig[k]]));
  const subnet = await freeDirectSubnet();
  const directNetwork = await admin.createNetwork({
    Name: `aicli-bench-direct-${runId}`,
    Driver: 'bridge',
    CheckDuplicate: true,
    IPAM: { Config: [{ Subnet: subnet }] },
    Labels: benchLabels,
  });
  const direct = await admin.createContainer({
    name: `aicli-bench-direct-${runId}`,
    Image: IMAGE,
    Labels: benchLabels,
    User: box.Config.User,
    Tty: true,
    OpenStdin: true,
    WorkingDir: '/workspace',
    // Addresses only; should anything ask a name, the engine's resolver forwards it to the fake host.
    HostConfig: { ...limits, NetworkMode: directNetwork.id, Dns: [fake] },
  });
  await direct.start();

  sides.push({ name: 'direct', id: direct.id, host: fake, gateway: undefined });
  sides.push({ name: 'open', id: open.containerId, host: fake, gateway: gatewayNameFor(open.id) });
  sides.push({ name: 'allowlist', id: allow.containerId, host: fake, gateway: allowGateway, byName: NAME });

  // ready: each reads the greeting; the allow-listed box first by name (its address then lands in the gateway's set)
  for (const side of sides) {
    if (side.byName) await waitForGreeting(side.id, side.byName);
    await waitForGreeting(side.id, side.host);
    await checkBulkBytes(side.id, side.host);
    const ids = {
      box: (await admin.getContainer(side.id).inspect()).State.Pid,
      gateway: side.gateway ? (await admin.getContainer(side.gateway).inspect()).State.Pid : undefined,
    };
    side.cgroups = { box: cgroupOf(ids.box), gateway: ids.gateway ? cgroupOf(ids.gateway) : undefined };
    side.mtu = await mtuOf(side.id);
    if (side.gateway) side.gatewayMtu = await mtuOf(side.gateway);
    results[side.name] = { connects: [], byName: [], transfers: [] };
  }
  // Which of the allow-listed box's lookups the gateway forwards upstream (rejected by the guard), by type.
  const upstream = {};
  for (const type of ['A', 'AAAA']) {
    const before = await guardCount(allowGateway);
    await shell(allow.containerId, `nslookup -type=${type} ${NAME}`);
    upstream[type] = (await guardCount(allowGateway)) - before;
  }
  upstreamByType = upstream;

  const limitText = `CpuQuota ${limits.CpuQuota}/${limits.CpuPeriod} (NanoCpus ${limits.NanoCpus ?? 0}), Memory ${(limits.Memory ?? 0) / 2 ** 20} MiB, PidsLimit ${limits.PidsLimit}`;
  const gatewayInfo = await admin.getContainer(sides[1].gateway).inspect();
  const gatewayLimits = `CpuQuota ${gatewayInfo.HostConfig.CpuQuota}/${gatewayInfo.HostConfig.CpuPeriod}, Memory ${gatewayInfo.HostConfig.Memory / 2 ** 20} MiB`;
  console.log(`fake internet ${fake} (namespace of this run); box limits, all three sides: ${limitText}; gateways: ${gatewayLimits}`);
  for (const side of sides)
    console.log(`  ${pad(side.name, 10)} interfaces (name mtu): box ${side.mtu}${side.gatewayMtu ? `; gateway ${side.gatewayMtu}` : ''}`);
  console.log(`rounds ${ROUNDS} (order alternates), per round and side: ${CONNECTS} connects + one ${BULK_BYTES / 1e6} MB transfer`);

  loads.push({ at: 'start', load: await waitForQuiet('measuring'), uptime: uptime() });
  console.log(`  ${loads[0].uptime}`);
  for (let round = 0; round < ROUNDS && !interrupted; round++) {
    if (loadavg()[0] > MAX_LOAD) loads.push({ at: `round ${round + 1}`, load: await waitForQuiet(`round ${round + 1}`), uptime: uptime() });
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    const line = [];
    for (const side of order) {
      if (interrupted) break;
      const r = results[side.name];
      r.connects.push(...(await measureConnects(side.id, side.host)));
      if (side.byName) r.byName.push(...(await measureConnects(side.id, side.byName)));
      const t = await measureTransfer(side.id, side.host, side.cgroups);
      r.transfers.push(t);
      line.push(`${side.name} ${ms(median(r.connects.slice(-CONNECTS)))} / ${(BULK_BYTES / 1e3 / t.ms).toFixed(0)} MB/s`);
    }
    console.log(`  #${round + 1}: ${line.join(', ')}  (load ${loadavg()[0].toFixed(2)})`);
  }
  loads.push({ at: 'end', load: loadavg()[0], uptime: uptime() });
  console.log(`  ${loads.at(-1).uptime}`);
  for (const side of sides.filter((s) => s.gateway)) side.guardRejected = await guardCount(side.gateway);
  if (args.profile && !interrupted) for (const side of sides) side.profile = await profileTransfer(side);
} catch (err) {
  failed = err;
} finally {
  const swept = await sweep().catch((err) => (console.error(`sweep failed: ${err.message}`), { containers: '?', networks: '?' }));
  if (swept.containers || swept.networks) console.error(`swept ${swept.containers} container(s), ${swept.networks} network(s) of run ${runId}`);
  removeNamespace();
  await engine.stop();
}
if (failed) throw failed;
if (interrupted) process.exit(130);

// ---------------------------------------------------------------------------------------
// report

const mbps = (t) => BULK_BYTES / 1e3 / t.ms;
const d = results.direct;
const connectMedian = (name) => median(results[name].connects);
const throughput = (name) => median(results[name].transfers.map(mbps));
console.log('');
console.log(`connect from inside the container (nc: TCP connect, greeting, close), per connect, N=${d.connects.length} each`);
console.log(`  ${pad('', 26)} ${pad('median', 10)} ${pad('p95', 10)} vs direct (median / p95)`);
for (const [name, label, values] of [
  ['direct', 'direct (no gateway)', d.connects],
  ['open', 'open, through gateway', results.open.connects],
  ['allowlist', 'allowlist, by address', results.allowlist.connects],
  ['allowlist', `allowlist, by name (+DNS)`, results.allowlist.byName],
]) {
  const extra =
    name === 'direct'
      ? ''
      : `+${(median(values) - connectMedian('direct')).toFixed(2)} ms / +${(percentile(values, 0.95) - percentile(d.connects, 0.95)).toFixed(2)} ms`;
  console.log(`  ${pad(label, 26)} ${pad(ms(median(values)), 10)} ${pad(ms(percentile(values, 0.95)), 10)} ${extra}`);
}
console.log('');
console.log(`throughput, ${BULK_BYTES / 1e6} MB into /dev/null inside the container, N=${d.transfers.length} each (MB = 10^6 bytes)`);
for (const name of ['direct', 'open', 'allowlist']) {
  const xs = results[name].transfers.map(mbps);
  const ratio = name === 'direct' ? '' : `${(throughput(name) / throughput('direct')).toFixed(2)}x direct`;
  console.log(
    `  ${pad(name, 10)} median ${pad(`${throughput(name).toFixed(0)} MB/s`, 10)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}) ${ratio}`,
  );
}
console.log('');
console.log(
  'where the CPU went, per transfer (medians, ms): box cgroup used / throttled (periods); gateway cgroup used / throttled; sender (python in the namespace) used, system; machine busy, system, softirq',
);
for (const name of ['direct', 'open', 'allowlist']) {
  const ts = results[name].transfers;
  const m = (f) => {
    const xs = ts.map(f).filter((x) => Number.isFinite(x));
    return xs.length ? median(xs).toFixed(0) : '-';
  };
  console.log(
    `  ${pad(name, 10)} transfer ${m((t) => t.ms)}; box ${m((t) => t.box?.usage)} / ${m((t) => t.box?.throttledMs)} (${m((t) => t.box?.throttledPeriods)}); ` +
      `gateway ${m((t) => t.gateway?.usage)} / ${m((t) => t.gateway?.throttledMs)} (${m((t) => t.gateway?.throttledPeriods)}); ` +
      `sender ${m((t) => t.sender?.usage)}, ${m((t) => t.sender?.system)}; ` +
      `machine ${m((t) => t.machine.busy)}, ${m((t) => t.machine.system)}, ${m((t) => t.machine.softirq)}`,
  );
}
for (const side of sides.filter((s) => s.gateway))
  console.log(`  ${side.name}: DNS queries the gateway tried to send upstream (rejected by the bench's guard): ${side.guardRejected}`);
console.log(
  `  allowlist, one nslookup of ${NAME} (in the gateway's hosts file) per type: upstream attempts A ${upstreamByType.A}, AAAA ${upstreamByType.AAAA}`,
);
if (args.profile && sides.every((s) => s.profile)) {
  console.log('');
  console.log(
    'perf record -a over one more transfer per side (the exec around it included): share of all samples (2 CPUs, idle included) by kernel group, by command, then the top kernel functions',
  );
  const groups = Object.keys(sides[0].profile.share);
  console.log(`  ${pad('', 10)} ${groups.map((g) => pad(g, 10)).join(' ')}`);
  for (const side of sides) console.log(`  ${pad(side.name, 10)} ${groups.map((g) => pad(`${side.profile.share[g].toFixed(1)}%`, 10)).join(' ')}`);
  for (const side of sides) console.log(`  ${pad(side.name, 10)} by command: ${side.profile.byCommand.join(', ')}`);
  for (const side of sides) console.log(`  ${pad(side.name, 10)} kernel: ${side.profile.top.map((r) => `${r.sym} ${r.pct.toFixed(1)}%`).join(', ')}`);
}
console.log('');
const worst = (f) => Math.max(f('open'), f('allowlist'));
const addedConnect = worst((n) => connectMedian(n) - connectMedian('direct'));
const worstRatio = Math.min(throughput('open') / throughput('direct'), throughput('allowlist') / throughput('direct'));
console.log(`goal connect <= +5 ms (median, worst gateway side): +${addedConnect.toFixed(2)} ms: ${addedConnect <= 5 ? 'met' : 'MISSED'}`);
console.log(`goal throughput >= 0.8x direct (median, worst gateway side): ${worstRatio.toFixed(2)}x: ${worstRatio >= 0.8 ? 'met' : 'MISSED'}`);
console.log(`load: ${loads.map((l) => `${l.at} ${l.load.toFixed(2)}`).join(', ')}`);
