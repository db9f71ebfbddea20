import { InputError } from '../engine/errors';

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface PortPolicy {
  blockedPorts: number[];
  /** Address published ports bind to unless the mapping names one (default 127.0.0.1). */
  publishAddress: string;
}

export const defaultBlockedPorts = [22, 80, 443, 3000, 8000, 8080];
export const defaultPortPolicy: PortPolicy = { blockedPorts: defaultBlockedPorts, publishAddress: '127.0.0.1' };

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** A free-looking host port to suggest: above 1024 and not itself blocked. */
export function suggestHostPort(hostPort: number, policy: PortPolicy): number {
  for (const candidate of [hostPort + 8000, hostPort + 10000, hostPort + 18000, 18888, 28888]) {
    if (candidate >= 1024 && candidate <= 65535 && !policy.blockedPorts.includes(candidate)) return candidate;
  }
  return 18888;
}

function port(text: string, spec: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InputError('publish', `Port mapping "${spec}": "${text}" is not a port from 1 to 65535.`);
  }
  return value;
}

/**
 * Parses "HOST:CONTAINER", "IP:HOST:CONTAINER" or "CONTAINER" (same port on both sides), with an
 * optional "/udp", and applies the policy: host ports below 1024 and blocked host ports are
 * refused. Only the host side is checked: publishing 8888→8080 is fine, 22→22 is not.
 */
export function parsePortMapping(spec: string, policy: PortPolicy = defaultPortPolicy): PortMapping {
  const segments = spec.trim().split('/');
  const [body = '', protocolText = 'tcp'] = segments;
  if (segments.length > 2 || (protocolText !== 'tcp' && protocolText !== 'udp')) {
    throw new InputError('publish', `Port mapping "${spec}": protocol must be tcp or udp.`);
  }
  const parts = body.split(':');
  if (parts.length < 1 || parts.length > 3 || parts.some((part) => part === '')) {
    throw new InputError('publish', `Port mapping "${spec}" must look like 8888:8080, 127.0.0.1:8888:8080 or 8080.`);
  }
  const containerPort = port(parts[parts.length - 1] as string, spec);
  const hostPort = parts.length >= 2 ? port(parts[parts.length - 2] as string, spec) : containerPort;
  const hostIp = parts.length === 3 ? (parts[0] as string) : policy.publishAddress;
  if (!isIpv4(hostIp)) {
    throw new InputError('publish', `Port mapping "${spec}": "${hostIp}" is not an IPv4 address to publish on, such as 127.0.0.1.`);
  }
  if (policy.blockedPorts.includes(hostPort)) {
    throw new InputError(
      'publish',
      `Port mapping "${spec}": host port ${hostPort} is blocked by aicli.network.blockedPorts; publish on another host port, e.g. ${suggestHostPort(hostPort, policy)}:${containerPort}.`,
    );
  }
  if (hostPort < 1024) {
    throw new InputError(
      'publish',
      `Port mapping "${spec}": host port ${hostPort} is privileged (below 1024); choose 1024 or above, e.g. ${suggestHostPort(hostPort, policy)}:${containerPort}.`,
    );
  }
  return { hostIp, hostPort, containerPort, protocol: protocolText };
}

/** Two mappings collide on the same host port when their addresses match or either is 0.0.0.0. */
export function checkNoDuplicateHostPorts(mappings: PortMapping[]): void {
  mappings.forEach((mapping, index) => {
    const clash = mappings
      .slice(0, index)
      .find(
        (earlier) =>
          earlier.hostPort === mapping.hostPort &&
          earlier.protocol === mapping.protocol &&
          (earlier.hostIp === mapping.hostIp || earlier.hostIp === '0.0.0.0' || mapping.hostIp === '0.0.0.0'),
      );
    if (clash) throw new InputError('publish', `Host port ${mapping.hostPort}/${mapping.protocol} is published twice; use one mapping per host port.`);
  });
}
