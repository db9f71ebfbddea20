import { Readable } from 'node:stream';
import { EngineConnection, EngineLog } from '../engine/connection';
import { containerLogs } from '../engine/containers';
import { FrameDemuxer } from '../engine/demux';
import { Disposable } from '../engine/emitter';
import { LineSplitter } from '../engine/outputLines';
import { alwaysRefused } from '../isolation/egress';
import { ipv4ToInt, parseCidr, workspacePool } from '../isolation/subnets';
import { gatewayNameFor } from '../workspace/gateway';
import { AlertInput } from './alerts';
import { MonitoredWorkspace } from './scope';

/** What the gateway refused, from one line of its log (see workspace/gatewayScript.ts). */
export interface Refusal {
  /** A host name (refused by the resolver) or an IPv4 address (refused by the rules). */
  destination: string;
  port?: number;
  protocol: 'tcp' | 'udp' | 'dns';
  /** The box's source port: a TCP retry of one connect is not a second attempt. */
  attempt?: string;
}

const packetLine = /^IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): (tcp|UDP)/;
const resolverLine = /: config (\S+) is NXDOMAIN/;

export function parseRefusal(line: string): Refusal | undefined {
  const packet = packetLine.exec(line);
  if (packet) {
    const protocol = packet[5] === 'tcp' ? 'tcp' : 'udp';
    return { destination: packet[3]!, port: Number(packet[4]), protocol, attempt: `${protocol}:${packet[2]}` };
  }
  const name = resolverLine.exec(line);
  // One lookup asks for A and AAAA: the same name within a second is one attempt.
  return name ? { destination: name[1]!.toLowerCase(), protocol: 'dns', attempt: `dns:${Math.floor(Date.now() / 1000)}` } : undefined;
}

export const egressRule = (destination: string): string => `egress:${destination}`;

const reachedIn = / tried to reach (\S+) /;

/** The destination an egress alert names (the quick fix offers to allow it), from its message. */
export function egressDestinationIn(message: string): string | undefined {
  return message.includes('If it should, allow it') ? reachedIn.exec(message)?.[1] : undefined;
}

interface Tally {
  attempts: number;
  ports: Set<number>;
  seen: Set<string>;
  firstAt: number;
}

/**
 * Whether allowing could ever help: the host, link-local, loopback and other workspaces are
 * refused whatever the list says, so their alerts say so and offer no "Allow".
 */
export function neverAllowed(destination: string, hostAddresses: readonly string[]): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(destination)) return false;
  const address = ipv4ToInt(destination);
  return [...alwaysRefused, workspacePool, ...hostAddresses.map((host) => (host.includes('/') ? host : `${host}/32`))].some((cidr) => {
    const range = parseCidr(cidr);
    return range !== undefined && address >= range.start && address <= range.end;
  });
}

/** One alert per refused destination, with how often and on which ports. */
export function refusalAlert(workspace: MonitoredWorkspace, mode: string, destination: string, tally: Tally, never: boolean): AlertInput {
  const ports = [...tally.ports].sort((a, b) => a - b);
  const where = tally.ports.size
    ? `${destination} (port${ports.length > 1 ? 's' : ''} ${ports.slice(0, 5).join(', ')}${ports.length > 5 ? ', …' : ''})`
    : destination;
  const times = `${tally.attempts} time${tally.attempts === 1 ? '' : 's'}`;
  const message = never
    ? `Workspace ${workspace.name} tried to reach ${where} ${times}; no workspace may reach it (the engine's host, link-local, loopback or another workspace), whatever its egress policy (${mode}).`
    : `Workspace ${workspace.name} tried to reach ${where} ${times}; its egress policy (${mode}) refused the ${/[a-z]/.test(destination) ? 'name' : 'address'}. If it should, allow it for this workspace.`;
  return {
    workspace,
    rule: egressRule(destination),
    type: 'network_anomaly',
    severity: never ? 'error' : 'warning',
    policyItem: 'egress',
    conditionAt: tally.firstAt,
    message,
  };
}

/** A line of a `logs?timestamps=1` stream: the engine's time of it, then the text (now and the line, without a stamp). */
function loggedAt(line: string): { atMs: number; text: string } {
  const stamp = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) /.exec(line);
  const atMs = stamp ? Date.parse(stamp[1]!) : NaN;
  return Number.isNaN(atMs) ? { atMs: Date.now(), text: line } : { atMs, text: line.slice(stamp![0].length) };
}

const reattachDelayMs = 1000;
/** Alerts are raised at most this often per destination while refusals keep coming. */
const alertEveryMs = 500;

interface Following {
  stream?: Readable;
  stopped: boolean;
  tallies: Map<string, Tally>;
  pending?: NodeJS.Timeout;
  dirty: Set<string>;
}

/**
 * Follows the log of each running workspace's gateway (a stream, no polling) and turns its
 * refusals into network_anomaly alerts. The gateway enforces; this only reports.
 */
export class EgressRefusals implements Disposable {
  private readonly following = new Map<string, Following>();

  constructor(
    private readonly connection: () => Promise<EngineConnection>,
    private readonly raise: (input: AlertInput) => void,
    private readonly log: EngineLog,
    /** The engine host's addresses (a local engine's are this machine's). */
    private readonly hostAddresses: () => string[] = () => [],
    /** Each attempt counted, with when the gateway logged it (the audit trail records them). */
    private readonly onRefused: (workspace: MonitoredWorkspace, refusal: Refusal, attempts: number, atMs: number) => void = () => {},
  ) {}

  /**
   * Starts following the gateway of a running workspace, from `sinceMs` (when the box started:
   * refusals made while nobody watched are reported too).
   */
  follow(workspace: MonitoredWorkspace, mode: string | undefined, sinceMs: number): void {
    if (!mode || this.following.has(workspace.containerId)) return;
    const entry: Following = { stopped: false, tallies: new Map(), dirty: new Set() };
    this.following.set(workspace.containerId, entry);
    void this.attach(workspace, mode, entry, Math.floor((Number.isFinite(sinceMs) ? sinceMs : Date.now()) / 1000));
  }

  stop(containerId: string): void {
    const entry = this.following.get(containerId);
    if (!entry) return;
    entry.stopped = true;
    clearTimeout(entry.pending);
    entry.stream?.destroy();
    this.following.delete(containerId);
  }

  dispose(): void {
    for (const containerId of [...this.following.keys()]) this.stop(containerId);
  }

  private async attach(workspace: MonitoredWorkspace, mode: string, entry: Following, since: number): Promise<void> {
    let stream: Readable;
    try {
      const connection = await this.connection();
      stream = await containerLogs(connection, gatewayNameFor(workspace.id), { follow: true, stdout: true, stderr: true, since, timestamps: true });
    } catch (err) {
      // A workspace from before gateways has none; any other failure is retried on the next audit.
      if ((err as { statusCode?: number }).statusCode !== 404)
        this.log.warn(`monitor: cannot follow the gateway of ${workspace.name}: ${(err as Error).message}`);
      this.following.delete(workspace.containerId);
      return;
    }
    if (entry.stopped) {
      stream.destroy();
      return;
    }
    entry.stream = stream;
    const lines = new LineSplitter();
    const demuxer = new FrameDemuxer((_kind, payload) => {
      for (const line of lines.push(payload.toString('utf8'))) {
        const { atMs, text } = loggedAt(line);
        this.count(workspace, mode, entry, parseRefusal(text), atMs);
      }
    });
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
    const reattach = (): void => {
      if (entry.stopped) return;
      // The gateway restarted (or the engine went away): pick up from now.
      setTimeout(() => void this.attach(workspace, mode, entry, Math.floor(Date.now() / 1000)), reattachDelayMs).unref?.();
    };
    stream.once('end', reattach);
    stream.once('error', reattach);
  }

  private count(workspace: MonitoredWorkspace, mode: string, entry: Following, refusal: Refusal | undefined, atMs: number): void {
    if (!refusal) return;
    const tally = entry.tallies.get(refusal.destination) ?? { attempts: 0, ports: new Set<number>(), seen: new Set<string>(), firstAt: Date.now() };
    entry.tallies.set(refusal.destination, tally);
    if (refusal.attempt && tally.seen.has(refusal.attempt)) return;
    if (refusal.attempt && tally.seen.size < 10_000) tally.seen.add(refusal.attempt);
    tally.attempts++;
    this.onRefused(workspace, refusal, tally.attempts, atMs);
    if (refusal.port !== undefined) tally.ports.add(refusal.port);
    entry.dirty.add(refusal.destination);
    const flush = (): void => {
      entry.pending = undefined;
      for (const destination of entry.dirty) {
        this.raise(refusalAlert(workspace, mode, destination, entry.tallies.get(destination)!, neverAllowed(destination, this.hostAddresses())));
      }
      entry.dirty.clear();
    };
    if (tally.attempts === 1) flush();
    else entry.pending ??= setTimeout(flush, alertEveryMs);
  }
}
