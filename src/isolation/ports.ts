import { InputError } from './inputError';

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
  const [body = '', protocolText = 'tcp'] = spec.trim().split('/');
  if (protocolText !== 'tcp' && protocolText !== 'udp') {
    throw new InputError('publish', `Port mapping "${spec}": protocol must be tcp or udp.`);
  }
  const parts = body.split(':');
  if (parts.length < 1 || parts.length > 3 || parts.some((part) => part === '')) {
    throw new InputError('publish', `Port mapping "${spec}" must look like 8888:8080, 127.0.0.1:8888:8080 or 8080.`);
  }
  const containerPort = port(parts[parts.length - 1] as string, spec);
  const hostPort = parts.length >= 2 ? port(parts[parts.length - 2] as string, spec) : containerPort;
  const hostIp = parts.length === 3 ? (parts[0] as string) : policy.publishAddress;
  if (hostPort < 1024) {
    throw new InputError('publish', `Port mapping "${spec}": host port ${hostPort} is privileged (below 1024); choose 1024 or above, e.g. ${hostPort + 8000}:${containerPort}.`);
  }
  if (policy.blockedPorts.includes(hostPort)) {
    throw new InputError(
      'publish',
      `Port mapping "${spec}": host port ${hostPort} is blocked by aicli.network.blockedPorts; publish on another host port, e.g. ${hostPort + 10000 > 65535 ? 18888 : hostPort + 10000}:${containerPort}.`,
    );
  }
  return { hostIp, hostPort, containerPort, protocol: protocolText };
}

export function checkNoDuplicateHostPorts(mappings: PortMapping[]): void {
  const seen = new Set<string>();
  for (const mapping of mappings) {
    const key = `${mapping.hostIp}:${mapping.hostPort}/${mapping.protocol}`;
    if (seen.has(key)) throw new InputError('publish', `Host port ${mapping.hostPort}/${mapping.protocol} is published twice; use one mapping per host port.`);
    seen.add(key);
  }
}
