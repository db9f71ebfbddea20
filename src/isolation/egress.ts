import { InputError } from '../engine/errors';
import { IsolationLevel } from './levels';
import { parseCidr } from './subnets';

/**
 * What a workspace may reach beyond its own network. Enforced by the workspace's egress
 * gateway (see gatewayConfig.ts), never inside the box.
 */
export type EgressMode = 'none' | 'allowlist' | 'open';
export type EgressSetting = 'auto' | EgressMode;
export const egressSettings: EgressSetting[] = ['auto', 'none', 'allowlist', 'open'];

/** `auto`: the looser the level, the more it may reach. */
export const egressForLevel: Record<IsolationLevel, EgressMode> = { basic: 'open', standard: 'allowlist', strict: 'none', sandboxed: 'none' };

export function egressModeFor(level: IsolationLevel, setting: string | undefined): EgressMode {
  const chosen = (setting ?? 'auto').trim() || 'auto';
  if (!(egressSettings as string[]).includes(chosen)) {
    throw new InputError('egress', `Egress "${setting}" is not one of ${egressSettings.join(', ')}; set aicli.network.egress or --egress to one of them.`);
  }
  return chosen === 'auto' ? egressForLevel[level] : (chosen as EgressMode);
}

/** aicli.network.allowedHosts, checked: exact names, `*.domain` wildcards and IPv4 CIDRs. */
export interface EgressAllowList {
  /** Names whose answers (and their subdomains') let the box through to the resolved addresses. */
  domains: string[];
  /** Networks the box may reach directly, private ones included when named here. */
  cidrs: string[];
}

export const emptyAllowList: EgressAllowList = { domains: [], cidrs: [] };

const labelPattern = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isHostName(text: string): boolean {
  const labels = text.split('.');
  return text.length <= 253 && labels.length >= 1 && labels.every((label) => labelPattern.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

/**
 * Every entry is checked before anything is created; a bad one is named in the error. A CIDR
 * that names link-local space is refused too: it could never be reached, and allowing it
 * would read as if the metadata address were open.
 */
export function parseAllowedHosts(entries: readonly string[]): EgressAllowList {
  const domains = new Set<string>();
  const cidrs = new Set<string>();
  for (const raw of entries) {
    const entry = String(raw).trim().toLowerCase().replace(/\.$/, '');
    const fix = 'use a host name (api.example.com), a wildcard (*.example.com) or an IPv4 CIDR (203.0.113.0/24)';
    if (/^[\d./]+$/.test(entry)) {
      const withBits = entry.includes('/') ? entry : `${entry}/32`;
      const [address] = withBits.split('/');
      const range = address!.split('.').some((part) => Number(part) > 255) ? undefined : parseCidr(withBits);
      if (!range) {
        throw new InputError('allowedHosts', `Allowed host "${raw}" is not a valid IPv4 address or CIDR; ${fix}.`);
      }
      if (overlapsAny(range, linkLocalRanges)) {
        throw new InputError(
          'allowedHosts',
          `Allowed host "${raw}" is link-local (169.254.0.0/16, cloud metadata), which a workspace never reaches; remove it.`,
        );
      }
      cidrs.add(withBits);
      continue;
    }
    const name = entry.startsWith('*.') ? entry.slice(2) : entry;
    if (!isHostName(name) || name.includes('*')) {
      throw new InputError('allowedHosts', `Allowed host "${raw}" is not a host name, wildcard or CIDR; ${fix}.`);
    }
    domains.add(name);
  }
  return { domains: [...domains].sort(), cidrs: [...cidrs].sort() };
}

function overlapsAny(range: { start: number; end: number }, cidrs: readonly string[]): boolean {
  return cidrs.some((cidr) => {
    const other = parseCidr(cidr)!;
    return range.start <= other.end && other.start <= range.end;
  });
}

export const linkLocalRanges = ['169.254.0.0/16'];

/**
 * Never reachable from a box, whatever its mode or list: "this network", loopback, link-local
 * (cloud metadata), multicast and reserved space. The host's own addresses, the workspace pool
 * and the gateway's outside network are added per workspace.
 */
export const alwaysRefused = ['0.0.0.0/8', '127.0.0.0/8', ...linkLocalRanges, '224.0.0.0/3'];

/** Refused unless a CIDR in the allow-list names them: the LAN, carrier-grade NAT. */
export const privateRanges = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'];
