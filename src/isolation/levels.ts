import type { HostConfig, MountSettings, PortMap } from '../engine/types';
import { PortMapping } from './ports';
import { ResourceLimits } from './resources';
import { seccompProfileFor } from './seccomp';

export type IsolationLevel = 'basic' | 'standard' | 'strict';
export const isolationLevels: IsolationLevel[] = ['basic', 'standard', 'strict'];

/** What the engine offers, from `/info` (see engine/report.ts). */
export interface EngineFeatures {
  seccomp: boolean;
  apparmor: boolean;
  selinux: boolean;
}

export interface LevelProfile {
  /** Added back after dropping ALL. */
  capabilities: string[];
  seccomp: 'engine default' | 'policies/seccomp.json' | 'policies/seccomp.json, strict';
  readOnlyRoot: boolean;
  /** Numeric so it works in any image, with or without that user in /etc/passwd. */
  user?: string;
}

/** The table in the README is this object; tests check the engine applies each row. */
export const levelProfiles: Record<IsolationLevel, LevelProfile> = {
  basic: {
    capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
    seccomp: 'engine default',
    readOnlyRoot: false,
  },
  standard: {
    capabilities: ['CHOWN', 'SETGID', 'SETUID'],
    seccomp: 'policies/seccomp.json',
    readOnlyRoot: false,
  },
  strict: {
    capabilities: [],
    seccomp: 'policies/seccomp.json, strict',
    readOnlyRoot: true,
    user: '1000:1000',
  },
};

export const strictTmpfs = { '/tmp': 'rw,nosuid,nodev,size=256m', '/run': 'rw,nosuid,nodev,noexec,size=16m' };
const cpuPeriod = 100_000;
export const restartRetries = 3;

export interface IsolationInput {
  level: IsolationLevel;
  resources: ResourceLimits;
  features: EngineFeatures;
  folder: string;
  networkName: string;
  ports: PortMapping[];
  /** Host path of the engine socket to mount, only when the user opted in. */
  engineSocket?: string;
  /**
   * A remote engine cannot see the folder: the project is copied into this managed volume
   * and the volume is mounted at /workspace instead of the folder.
   */
  projectVolume?: string;
  /** Read-only binds below /workspace that keep protected paths out of reach (see projectMount.ts). */
  protectedMounts?: MountSettings[];
}

export interface IsolationPlan {
  hostConfig: HostConfig;
  exposedPorts: Record<string, object>;
  user?: string;
  /** Things the engine cannot do that the user should know about. */
  notes: string[];
}

function securityOptions(level: IsolationLevel, features: EngineFeatures, notes: string[]): string[] {
  const options = ['no-new-privileges=true'];
  const profile = levelProfiles[level];
  if (profile.seccomp !== 'engine default') {
    if (features.seccomp) options.push(`seccomp=${seccompProfileFor(level === 'strict' ? 'strict' : 'standard')}`);
    else notes.push('The engine has no seccomp support: the workspace runs without a syscall filter.');
  }
  if (features.apparmor) options.push('apparmor=docker-default');
  if (features.selinux) options.push('label=type:container_t');
  if (!features.apparmor && !features.selinux) notes.push('AppArmor and SELinux are not available on this engine; no MAC profile applied.');
  return options;
}

/** One pure function: level + limits + engine features → engine create options. */
export function isolationPlan(input: IsolationInput): IsolationPlan {
  const profile = levelProfiles[input.level];
  const notes: string[] = [];
  const mounts: MountSettings[] = [
    input.projectVolume
      ? { Type: 'volume', Source: input.projectVolume, Target: '/workspace', ReadOnly: false }
      : { Type: 'bind', Source: input.folder, Target: '/workspace', ReadOnly: false, BindOptions: { Propagation: 'rprivate' } },
    ...(input.projectVolume ? [] : (input.protectedMounts ?? [])),
  ];
  if (input.engineSocket) mounts.push({ Type: 'bind', Source: input.engineSocket, Target: '/var/run/docker.sock', ReadOnly: false });
  const portBindings: PortMap = {};
  const exposedPorts: Record<string, object> = {};
  for (const port of input.ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposedPorts[key] = {};
    portBindings[key] = [...(portBindings[key] ?? []), { HostIp: port.hostIp, HostPort: String(port.hostPort) }];
  }
  const hostConfig: HostConfig = {
    Mounts: mounts,
    NetworkMode: input.networkName,
    PortBindings: portBindings,
    Init: true,
    RestartPolicy: { Name: 'on-failure', MaximumRetryCount: restartRetries },
    Privileged: false,
    CapDrop: ['ALL'],
    CapAdd: [...profile.capabilities],
    SecurityOpt: securityOptions(input.level, input.features, notes),
    ReadonlyRootfs: profile.readOnlyRoot,
    Tmpfs: profile.readOnlyRoot ? { ...strictTmpfs } : undefined,
    IpcMode: 'private',
    CpuPeriod: cpuPeriod,
    CpuQuota: Math.round(input.resources.cpus * cpuPeriod),
    CpuShares: 1024,
    Memory: input.resources.memoryBytes,
    MemorySwap: input.resources.memoryBytes,
    PidsLimit: input.resources.pidsLimit,
    BlkioWeight: input.resources.blkioWeight,
    OomKillDisable: false,
  };
  return {
    hostConfig,
    exposedPorts,
    user: profile.user,
    notes,
  };
}
