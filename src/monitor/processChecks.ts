import { captureExec } from '../engine/captureExec';
import { EngineConnection } from '../engine/connection';
import { IsolationLevel, isStrictLevel } from '../isolation/levels';
import { AuditFinding } from './audit';

/**
 * Process and socket checks done for real, inside the workspace, by one short exec of the
 * workspace's own `sh` reading /proc (builtins only, plus `cat`): which processes run as
 * root, and which TCP sockets listen. The exec sees the container's PID and network
 * namespaces, which is exactly what we want to audit.
 *
 * When they run (the monitor decides): 1.5 s after a workspace starts, and when its stats
 * show the number of processes settle at a new value (two samples in a row), at most once
 * every 2 s. That is an exec-based audit driven by the stats stream the monitor already
 * holds, not a fixed-interval poll of the engine: an idle workspace whose processes don't
 * change costs nothing, and transient processes (the engine's own health-check exec, this
 * check's exec) don't trigger it. The cost is that a process living less than a second or two
 * may go unseen; a stats sample a second is the resolution we accept.
 *
 * An exec must never overlap a pause of the same container (the engine then hangs on that
 * container, see SecurityMonitor.respond); the monitor serializes its own, and
 * SecurityMonitor.withoutExecs lets the UI do the same for the user's pause and stop.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
  uid: number;
  euid: number;
}

export interface TcpListener {
  family: 'tcp' | 'tcp6';
  address: string;
  port: number;
}

export interface ProcessSnapshot {
  processes: ProcessInfo[];
  listeners: TcpListener[];
  /**
   * An exec was being set up while we looked (a `runc:[…]` process, root until it switches
   * to its user): left out of `processes`, and the picture is worth another look shortly.
   */
  settling: boolean;
}

export interface ProcessCheckPolicy {
  level: IsolationLevel;
  blockedPorts: number[];
}

export const processRules = ['process.root', 'process.listeners'] as const;

/** POSIX sh only: no grep/awk/ps, which slim images may lack. */
export const processReportScript = [
  'echo "self $$"',
  'for d in /proc/[0-9]*; do',
  '  [ -r "$d/status" ] || continue',
  '  echo "pid ${d#/proc/}"',
  '  while read -r k v r; do case "$k" in Name:|Uid:|PPid:) echo "$k $v $r";; esac; done < "$d/status"',
  'done 2>/dev/null',
  'for f in tcp tcp6; do echo "net $f"; cat /proc/net/$f 2>/dev/null; done',
  'true',
].join('\n');

/** The check's exec, as it is run and as the engine's exec_start event names it (Cmd joined by spaces). */
export const processCheckCommand = ['sh', '-c', processReportScript];

/** Whether an exec's command line is the monitor's own check (not a session of anyone's: see workspace/lifetimes). */
export function isProcessCheckCommand(commandLine: string): boolean {
  return commandLine === processCheckCommand.join(' ');
}

const tcpListen = 0x0a;

/** A socket row of /proc/net/{tcp,tcp6,udp,udp6} ("sl local_address rem_address st …"): its fields and state; undefined for the header or garbage. */
export function procNetRow(line: string): { fields: string[]; state: number } | undefined {
  const fields = line.trim().split(/\s+/);
  if (!/^\d+:$/.test(fields[0] ?? '')) return undefined;
  const state = parseInt(fields[3] ?? '', 16);
  return Number.isInteger(state) ? { fields, state } : undefined;
}

function ipv4(hex: string): string {
  // /proc/net/tcp prints the address as a host-order (little-endian on x86) 32-bit word.
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((byte) => parseInt(byte, 16))
    .join('.');
}

function ipv6(hex: string): string {
  if (/^0{32}$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  return hex.toLowerCase();
}

/** LISTEN sockets of /proc/net/tcp or tcp6: "sl local_address rem_address st …", ports in hex. */
export function parseProcNetTcp(text: string, family: 'tcp' | 'tcp6'): TcpListener[] {
  const listeners: TcpListener[] = [];
  for (const line of text.split('\n')) {
    const row = procNetRow(line);
    if (row?.state !== tcpListen) continue;
    const [addressHex = '', portHex = ''] = (row.fields[1] ?? '').split(':');
    const port = parseInt(portHex, 16);
    if (!Number.isInteger(port)) continue;
    listeners.push({ family, address: family === 'tcp' ? ipv4(addressHex) : ipv6(addressHex), port });
  }
  return listeners;
}

/** Parses the script's output; the script's own shell is left out. */
export function parseProcessReport(text: string): ProcessSnapshot {
  let self = -1;
  const processes: ProcessInfo[] = [];
  const net: Record<'tcp' | 'tcp6', string[]> = { tcp: [], tcp6: [] };
  let current: ProcessInfo | undefined;
  let section: 'tcp' | 'tcp6' | undefined;
  for (const line of text.split('\n')) {
    const [head = '', first = '', ...rest] = line.trim().split(/\s+/);
    if (section) {
      if (head === 'net') section = first === 'tcp6' ? 'tcp6' : 'tcp';
      else net[section].push(line);
      continue;
    }
    if (head === 'self') self = Number(first);
    else if (head === 'pid') {
      current = { pid: Number(first), ppid: 0, name: '', uid: -1, euid: -1 };
      processes.push(current);
    } else if (head === 'net') section = first === 'tcp6' ? 'tcp6' : 'tcp';
    else if (current && head === 'Name:') current.name = [first, ...rest].join(' ');
    else if (current && head === 'PPid:') current.ppid = Number(first);
    else if (current && head === 'Uid:') {
      current.uid = Number(first);
      current.euid = Number(rest[0] ?? first);
    }
  }
  const runtime = (process: ProcessInfo): boolean => process.name.startsWith('runc:[');
  return {
    settling: processes.some(runtime),
    processes: processes.filter((process) => process.pid !== self && process.uid >= 0 && !runtime(process)),
    listeners: [...parseProcNetTcp(net.tcp.join('\n'), 'tcp'), ...parseProcNetTcp(net.tcp6.join('\n'), 'tcp6')],
  };
}

/** Root processes matter at strict (everything else runs as root by design); listeners everywhere. */
export function processFindings(snapshot: ProcessSnapshot, policy: ProcessCheckPolicy): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (isStrictLevel(policy.level)) {
    const root = snapshot.processes.filter((process) => process.uid === 0 || process.euid === 0);
    if (root.length > 0) {
      const names = root.slice(0, 5).map((process) => `${process.name} (${process.pid})`);
      findings.push({
        rule: 'process.root',
        type: 'process_anomaly',
        severity: 'error',
        policyItem: 'processes',
        message: `${root.length} process${root.length > 1 ? 'es' : ''} running as root in a strict workspace: ${names.join(', ')}${root.length > 5 ? ', …' : ''}.`,
      });
    }
  }
  const blocked = snapshot.listeners.filter((listener) => policy.blockedPorts.includes(listener.port));
  if (blocked.length > 0) {
    const ports = [...new Set(blocked.map((listener) => `${listener.port}/${listener.family}`))];
    findings.push({
      rule: 'process.listeners',
      type: 'network_anomaly',
      severity: 'warning',
      policyItem: 'listeners',
      message: `Something in the workspace listens on blocked port${ports.length > 1 ? 's' : ''} ${ports.join(', ')} (aicli.network.blockedPorts).`,
    });
  }
  return findings;
}

/** One exec; throws an EngineError when the exec cannot run (no sh, pids limit reached, stopped). */
export async function runProcessChecks(
  connection: EngineConnection,
  containerId: string,
  policy: ProcessCheckPolicy,
): Promise<{ snapshot: ProcessSnapshot; findings: AuditFinding[] }> {
  const result = await captureExec(connection, containerId, { cmd: processCheckCommand });
  const snapshot = parseProcessReport(result.stdout);
  return { snapshot, findings: processFindings(snapshot, policy) };
}
