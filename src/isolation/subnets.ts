/**
 * Allocates /24 subnets for workspace networks from 172.20.0.0/14 (1024 of them) without
 * colliding with any network the engine already has or with an allocation still in flight.
 * The seed hashed the id into 172.20.x.0/24, which collides; here the engine's own list is
 * the truth, and an overlap reported by the engine (another client won the race) is retried.
 */
const poolBase = (172 << 24) | (20 << 16);
const poolSize = 1024;
/** The whole pool: other workspaces, which no box may reach. */
export const workspacePool = '172.20.0.0/14';

export function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) throw new Error(`bad IPv4 address ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export interface Cidr {
  start: number;
  end: number;
}

/** An IPv4 CIDR as a range; undefined for IPv6 or anything malformed (the engine's data). */
export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, bitsText] = cidr.split('/');
  if (!ip || !bitsText || ip.includes(':') || !/^\d{1,2}$/.test(bitsText) || Number(bitsText) > 32) return undefined;
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return undefined;
  const bits = Number(bitsText);
  const start = ipv4ToInt(ip);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const base = (start & mask) >>> 0;
  return { start: base, end: (base + 2 ** (32 - bits) - 1) >>> 0 };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export interface SubnetLease {
  subnet: string;
  gateway: string;
  release(): void;
}

export class SubnetPool {
  private readonly inFlight = new Set<number>();

  /**
   * The first free /24 not overlapping `taken` (CIDRs of existing networks) nor a lease in
   * flight. `start` spreads concurrent callers so retries after a race do not pile up.
   */
  allocate(taken: string[], start = 0): SubnetLease {
    const used = taken.map(parseCidr).filter((cidr): cidr is Cidr => cidr !== undefined);
    for (let i = 0; i < poolSize; i++) {
      const index = (start + i) % poolSize;
      const candidate = { start: (poolBase + index * 256) >>> 0, end: (poolBase + index * 256 + 255) >>> 0 };
      if (this.inFlight.has(index) || used.some((cidr) => overlaps(cidr, candidate))) continue;
      this.inFlight.add(index);
      return {
        subnet: `${intToIpv4(candidate.start)}/24`,
        gateway: intToIpv4(candidate.start + 1),
        release: () => this.inFlight.delete(index),
      };
    }
    throw new Error('No free /24 subnet left in 172.20.0.0/14: remove unused workspaces or networks.');
  }
}
