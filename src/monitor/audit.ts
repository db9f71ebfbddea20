import { IsolationLevel, levelProfiles } from '../isolation/levels';
import { AlertInput } from './alerts';
import { InspectFacts, inspectFacts, InspectedContainer } from './inspectFacts';

/** The parts of a container inspect the audit reads (dockerode's ContainerInspectInfo fits). */
export type AuditedContainer = InspectedContainer;

export interface AuditPolicy {
  level: IsolationLevel;
  blockedPorts: number[];
  /** The engine's own socket path(s) on the host, besides the usual /var/run/docker.sock. */
  engineSockets: string[];
  /** aicli.workspace.mountDockerSocket: the user accepted the risk, so it is reported, not acted on. */
  allowEngineSocket: boolean;
}

export type AuditFinding = Omit<AlertInput, 'workspace' | 'conditionAt'>;

/** Every rule the audit can report, so a later audit clears the ones that no longer hold. */
export const auditRules = [
  'audit.privileged',
  'audit.engineSocket',
  'audit.hostNamespaces',
  'audit.capabilities',
  'audit.noNewPrivileges',
  'audit.seccomp',
  'audit.blockedPorts',
  'audit.publicPorts',
] as const;

/** What the engine grants when CapDrop does not say ALL (Docker 20.10's default set). */
export const engineDefaultCapabilities = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/** Capabilities that hand over the kernel or other processes, not just more of the container. */
const hostCapabilities = new Set([
  'ALL',
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
  'BPF',
  'PERFMON',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'SYSLOG',
]);

const capName = (cap: string): string => cap.trim().toUpperCase().replace(/^CAP_/, '');

/** The capabilities a container effectively has, from CapDrop/CapAdd as the engine applies them. */
export function effectiveCapabilities(capAdd: string[] | null | undefined, capDrop: string[] | null | undefined): string[] {
  const drop = (capDrop ?? []).map(capName);
  const base = drop.includes('ALL') ? [] : engineDefaultCapabilities.filter((cap) => !drop.includes(cap));
  return [...new Set([...base, ...(capAdd ?? []).map(capName)])].sort();
}

interface PublishedPort {
  containerPort: string;
  hostIp: string;
  hostPort: number;
}

/** Published ports from the configuration and, for a running container, from what the engine bound. */
export function publishedPorts(container: AuditedContainer): PublishedPort[] {
  const ports: PublishedPort[] = [];
  const seen = new Set<string>();
  for (const map of [container.HostConfig?.PortBindings, container.NetworkSettings?.Ports]) {
    if (!map || typeof map !== 'object') continue;
    for (const [containerPort, bindings] of Object.entries(map as Record<string, { HostIp?: string; HostPort?: string }[] | null>)) {
      for (const binding of bindings ?? []) {
        const hostPort = Number(binding.HostPort);
        if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
        const hostIp = binding.HostIp ?? '';
        const key = `${containerPort}|${hostIp}|${hostPort}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ports.push({ containerPort, hostIp, hostPort });
      }
    }
  }
  return ports;
}

const allInterfaces = new Set(['', '0.0.0.0', '::', '[::]']);

/**
 * Audits a managed container's configuration (its inspect) against its isolation level.
 * Pure: the same inspect gives the same findings, so the monitor can re-run it on every
 * create/start and clear what no longer applies.
 */
export function auditContainer(container: AuditedContainer, policy: AuditPolicy): AuditFinding[] {
  const facts = inspectFacts(container, policy.engineSockets);
  return [...hostAccessFindings(facts, policy), ...privilegeFindings(container, facts, policy), ...portFindings(container, policy)];
}

/** Ways to the host itself: privileged mode, the engine socket, the host's namespaces. */
function hostAccessFindings(facts: InspectFacts, policy: AuditPolicy): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (facts.privileged) {
    findings.push({
      rule: 'audit.privileged',
      type: 'security_breach',
      severity: 'critical',
      policyItem: 'privileged',
      message: 'The container runs privileged: every capability, all host devices, no seccomp — it can take over the host.',
    });
  }

  const sockets = facts.engineSocketMounts;
  if (sockets.length > 0) {
    findings.push({
      rule: 'audit.engineSocket',
      type: 'security_breach',
      severity: policy.allowEngineSocket ? 'warning' : 'critical',
      policyItem: 'engineSocket',
      message: `The Docker engine socket is mounted (${sockets.join(', ')}): anything in the workspace can start a privileged container, i.e. root on the host.${
        policy.allowEngineSocket ? ' Allowed by aicli.workspace.mountDockerSocket.' : ''
      }`,
      accepted: policy.allowEngineSocket || undefined,
    });
  }

  const names = facts.hostNamespaces;
  if (names.length > 0) {
    findings.push({
      rule: 'audit.hostNamespaces',
      type: 'security_breach',
      severity: names.includes('pid') || names.includes('network') ? 'critical' : 'error',
      policyItem: 'hostNamespaces',
      message: `The container shares the host's ${names.join(', ')} namespace${names.length > 1 ? 's' : ''}: it sees (and can reach) host ${names.includes('network') ? 'services on loopback' : 'processes and IPC'}.`,
    });
  }

  return findings;
}

/** More privilege inside the container than its level grants: capabilities, setuid gains, system calls. */
function privilegeFindings(container: AuditedContainer, facts: InspectFacts, policy: AuditPolicy): AuditFinding[] {
  const host = container.HostConfig ?? {};
  const findings: AuditFinding[] = [];
  const allowed = new Set(levelProfiles[policy.level].capabilities);
  const beyond = effectiveCapabilities(host.CapAdd, host.CapDrop).filter((cap) => !allowed.has(cap));
  if (beyond.length > 0) {
    const hostLevel = beyond.filter((cap) => hostCapabilities.has(cap));
    findings.push({
      rule: 'audit.capabilities',
      type: 'security_breach',
      severity: hostLevel.length > 0 ? 'critical' : 'error',
      policyItem: 'capabilities',
      message: `Capabilities beyond the ${policy.level} level: ${beyond.join(', ')}${hostLevel.length ? ` (${hostLevel.join(', ')} reach the host kernel)` : ''}.`,
    });
  }

  if (!facts.noNewPrivileges) {
    findings.push({
      rule: 'audit.noNewPrivileges',
      type: 'security_breach',
      severity: 'error',
      policyItem: 'noNewPrivileges',
      message: 'no-new-privileges is off: a setuid binary in the workspace can gain privileges it was not started with.',
    });
  }
  if (facts.seccomp === 'unconfined') {
    findings.push({
      rule: 'audit.seccomp',
      type: 'security_breach',
      severity: 'error',
      policyItem: 'seccomp',
      message: 'seccomp is unconfined: every system call is open to the workspace, including those used in kernel exploits.',
    });
  }

  return findings;
}

/** Published ports the settings block, or that the network can reach. */
function portFindings(container: AuditedContainer, policy: AuditPolicy): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const ports = publishedPorts(container);
  const blocked = ports.filter((port) => policy.blockedPorts.includes(port.hostPort));
  if (blocked.length > 0) {
    findings.push({
      rule: 'audit.blockedPorts',
      type: 'network_anomaly',
      severity: 'error',
      policyItem: 'ports',
      message: `Blocked host port${blocked.length > 1 ? 's' : ''} published: ${[...new Set(blocked.map((port) => `${port.hostPort}→${port.containerPort}`))].join(', ')} (aicli.network.blockedPorts).`,
    });
  }
  const open = ports.filter((port) => allInterfaces.has(port.hostIp));
  if (open.length > 0) {
    findings.push({
      rule: 'audit.publicPorts',
      type: 'network_anomaly',
      severity: 'warning',
      policyItem: 'ports',
      message: `Port${open.length > 1 ? 's' : ''} published on all interfaces, reachable from the network: ${[...new Set(open.map((port) => `${port.hostPort}→${port.containerPort}`))].join(', ')}; bind to 127.0.0.1 instead.`,
    });
  }
  return findings;
}
