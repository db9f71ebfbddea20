import { captureExec } from '../engine/captureExec';
import { EngineConnection } from '../engine/connection';
import { procNetRow } from './processChecks';

/**
 * The current network connections of a workspace, counted in the box: one short exec of its
 * own `sh` reading /proc/net/{tcp,tcp6,udp,udp6} (builtins and `cat` only), which sees the
 * box's network namespace — and, under gVisor, the sandbox's own network stack, which a
 * host-side read of /proc/<pid>/net would miss. Only on demand (`aicli-ws stats`, an open
 * graph panel every few seconds while it is visible): one exec costs the engine what any
 * `docker exec` does (a median of 67 ms here under load, in the integration test), too much
 * to run per stats sample for every workspace, and nothing else needs the count.
 *
 * A loopback connection inside the box is two sockets (both ends), each counted. On a
 * user-defined network the engine's DNS resolver (127.0.0.11) has a TCP listener and a UDP
 * socket in the box itself: every workspace counts those.
 */
export interface ConnectionCounts {
  /** TCP sockets in ESTABLISHED. */
  established: number;
  /** TCP sockets in LISTEN. */
  listening: number;
  /** TCP sockets being opened or closed (SYN_SENT … CLOSING, TIME_WAIT included). */
  transient: number;
  /** UDP sockets, bound or connected. */
  udp: number;
  /** When they were counted (ms since the epoch). */
  at: number;
}

const families = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

/** POSIX sh only; a missing file (no IPv6) is an empty section. */
export const connectionCountScript = `for f in ${families.join(' ')}; do echo "net $f"; cat /proc/net/$f 2>/dev/null; done; true`;

/** The exec as it is run and as the engine's exec_start event names it (Cmd joined by spaces). */
export const connectionCountCommand = ['sh', '-c', connectionCountScript];

export function isConnectionCountCommand(commandLine: string): boolean {
  return commandLine === connectionCountCommand.join(' ');
}

const tcpEstablished = 0x01;
const tcpListen = 0x0a;

/** Counts the socket rows ("sl local rem st …", the state in hex) of the script's output. */
export function countConnections(text: string, at: number): ConnectionCounts {
  const counts: ConnectionCounts = { established: 0, listening: 0, transient: 0, udp: 0, at };
  let family: (typeof families)[number] | undefined;
  for (const line of text.split('\n')) {
    const header = /^net\s+(\S+)/.exec(line.trim());
    if (header) {
      family = families.find((name) => name === header[1]);
      continue;
    }
    const state = family ? procNetRow(line)?.state : undefined;
    if (!family || state === undefined) continue;
    if (family.startsWith('udp')) counts.udp++;
    else if (state === tcpEstablished) counts.established++;
    else if (state === tcpListen) counts.listening++;
    else counts.transient++;
  }
  return counts;
}

/** One exec in the running box; throws an EngineError when it cannot run (stopped, no sh, pids limit reached). */
export async function readConnections(connection: EngineConnection, containerId: string): Promise<ConnectionCounts> {
  const result = await captureExec(connection, containerId, { cmd: connectionCountCommand });
  return countConnections(result.stdout, Date.now());
}

/** "3 established, 1 listening, 0 opening or closing; 2 UDP". */
export function formatConnections(counts: ConnectionCounts): string {
  return `${counts.established} established, ${counts.listening} listening, ${counts.transient} opening or closing; ${counts.udp} UDP`;
}
