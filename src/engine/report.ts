import { homedir } from 'node:os';
import { formatBytes } from './bytes';
import { SshReached } from './errors';
import { sshReached } from './sshLogin';
import { EngineConnection, EngineInfo } from './connection';
import { podmanNote } from '../isolation/podman';
import { engineRuntimes, gvisorDaemonSnippet, gvisorRuntime } from '../isolation/runtime';
import { engineProductName } from './product';

function describeSshReached(reached: SshReached | undefined): string | undefined {
  if (!reached) return undefined;
  return `${reached.username ? `${reached.username}@` : ''}${reached.hostName}:${reached.port}, host key checked in ${reached.knownHostsFile ?? '~/.ssh/known_hosts'}`;
}

/** What `aicli-ws doctor` and "Show Engine Info" tell the user about an engine. */
export interface EngineReport {
  host: string;
  hostSource: string;
  /** ssh:// only: where the login really goes after ~/.ssh/config, and the known_hosts it checks. */
  sshReached?: string;
  /** "Docker 20.10.24", "Podman 4.3.1". */
  engineVersion: string;
  apiVersion: string;
  engineApiVersion: string;
  os: string;
  kernel: string;
  architecture: string;
  storageDriver: string;
  cgroupVersion: string;
  cgroupDriver: string;
  cpus: number;
  memoryBytes: number;
  security: { seccomp: boolean; apparmor: boolean; selinux: boolean; userns: boolean; rootless: boolean };
  /** Whether its storage driver can size a container (aicli.resources.disk), and how that was told. */
  diskLimit: string;
  /** The OCI runtimes it offers (runc, runsc…) and the one a container gets when none is named. */
  runtimes: string[];
  defaultRuntime: string;
  /** Plain sentences about what is missing and what that means for isolation. */
  notes: string[];
}

/** The engine's SecurityOptions ("name=seccomp,profile=default", …) as flags. */
export function securityFeatures(info: EngineInfo): EngineReport['security'] {
  const options = (info.SecurityOptions ?? []).map((option) => /name=([^,]+)/.exec(option)?.[1] ?? option);
  const has = (name: string): boolean => options.includes(name);
  return { seccomp: has('seccomp'), apparmor: has('apparmor'), selinux: has('selinux'), userns: has('userns'), rootless: has('rootless') };
}

/**
 * What the storage driver says about sizing a container. /info cannot tell xfs with and without
 * pquota apart, so that one is "the first create finds out" (workspace/diskQuota.ts).
 */
export function diskLimitSupport(info: EngineInfo): string {
  const backing = (info.DriverStatus ?? []).find(([key]) => key === 'Backing Filesystem')?.[1];
  const driver = info.Driver ?? 'unknown';
  if (driver === 'btrfs' || driver === 'zfs') return `enforced (${driver} sizes each container)`;
  if (driver === 'overlay2' && backing === 'xfs') return 'enforced if the engine data is on xfs mounted with pquota (the first create finds out and says so)';
  if (driver === 'overlay2')
    return `not enforced (overlay2 on ${backing ?? 'this filesystem'} cannot size a container; it can on xfs with pquota, as btrfs and zfs can)`;
  return `unknown for the ${driver} driver (the first create finds out and says so)`;
}

export async function collectEngineReport(connection: EngineConnection): Promise<EngineReport> {
  const info = await connection.info();
  const security = securityFeatures(info);
  const notes: string[] = [];
  if (!security.seccomp) notes.push('seccomp is not available: workspaces run without a syscall filter.');
  if (!security.apparmor && !security.selinux) {
    notes.push('Neither AppArmor nor SELinux is available on this engine: workspaces rely on capabilities, seccomp and namespaces only.');
  }
  if (!security.userns) notes.push('User-namespace remapping is off: root in a workspace is root on the host kernel (capabilities are still dropped).');
  const podman = podmanNote(connection.engineVersion, connection.host);
  if (podman) notes.push(podman);
  const runtimes = engineRuntimes(info);
  if (!runtimes.includes(gvisorRuntime)) {
    notes.push(
      `gVisor (runsc) is not one of its runtimes: the sandboxed level cannot be used here (to add it: apt-get install runsc, then ${gvisorDaemonSnippet} in daemon.json).`,
    );
  }
  return {
    host: connection.host,
    hostSource: connection.target.source,
    sshReached: describeSshReached(sshReached(connection.target, homedir())),
    engineVersion: engineProductName(connection.engineVersion),
    apiVersion: connection.apiVersion,
    engineApiVersion: connection.engineVersion.ApiVersion,
    os: info.OperatingSystem ?? connection.engineVersion.Os,
    kernel: info.KernelVersion ?? connection.engineVersion.KernelVersion ?? 'unknown',
    architecture: info.Architecture ?? connection.engineVersion.Arch,
    storageDriver: info.Driver ?? 'unknown',
    cgroupVersion: info.CgroupVersion ?? '1',
    cgroupDriver: info.CgroupDriver ?? 'unknown',
    cpus: info.NCPU ?? 0,
    memoryBytes: info.MemTotal ?? 0,
    security,
    runtimes,
    defaultRuntime: info.DefaultRuntime ?? 'runc',
    diskLimit: diskLimitSupport(info),
    notes,
  };
}

/** The report as aligned text lines, shared by the CLI and the info document. */
export function formatEngineReport(report: EngineReport): string[] {
  const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
  const rows: [string, string][] = [
    ['Host', `${report.host} (from ${report.hostSource})`],
    ...(report.sshReached ? ([['SSH', report.sshReached]] as [string, string][]) : []),
    ['Engine', report.engineVersion],
    ['API', `${report.apiVersion} (engine offers ${report.engineApiVersion})`],
    ['OS', `${report.os}, kernel ${report.kernel}, ${report.architecture}`],
    ['Resources', `${report.cpus} CPUs, ${formatBytes(report.memoryBytes)}`],
    ['Storage', report.storageDriver],
    ['Cgroups', `v${report.cgroupVersion} (${report.cgroupDriver})`],
    ['Seccomp', yesNo(report.security.seccomp)],
    ['AppArmor', yesNo(report.security.apparmor)],
    ['SELinux', yesNo(report.security.selinux)],
    ['Userns', yesNo(report.security.userns)],
    ['Rootless', yesNo(report.security.rootless)],
    ['Runtimes', `${report.runtimes.join(', ') || 'none listed'} (default ${report.defaultRuntime})`],
    ['Disk limit', report.diskLimit],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`), ...report.notes.map((note) => `Note: ${note}`)];
}
