import type { HostConfig, MountSettings, PortMap } from '../engine/types';
import { PortMapping } from './ports';
import { ResourceLimits } from './resources';
import { seccompProfileFor } from './seccomp';
import { gvisorLimits, gvisorRuntime } from './runtime';
import { formatBytes } from '../engine/bytes';

export type IsolationLevel = 'basic' | 'standard' | 'strict' | 'sandboxed';
/** Weakest first (the agents' policy ranks by this order). */
export const isolationLevels: IsolationLevel[] = ['basic', 'standard', 'strict', 'sandboxed'];

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
  /** On gVisor's application kernel (runtime.ts), not the host's. */
  gvisor: boolean;
}

/** The table in the README is this object; tests check the engine applies each row. */
export const levelProfiles: Record<IsolationLevel, LevelProfile> = {
  basic: {
    capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
    seccomp: 'engine default',
    readOnlyRoot: false,
    gvisor: false,
  },
  standard: {
    capabilities: ['CHOWN', 'SETGID', 'SETUID'],
    seccomp: 'policies/seccomp.json',
    readOnlyRoot: false,
    gvisor: false,
  },
  strict: {
    capabilities: [],
    seccomp: 'policies/seccomp.json, strict',
    readOnlyRoot: true,
    user: '1000:1000',
    gvisor: false,
  },
  // strict, on gVisor: the same profile inside the sandbox (runsc --oci-seccomp), and gVisor's own filter outside it.
  sandboxed: {
    capabilities: [],
    seccomp: 'policies/seccomp.json, strict',
    readOnlyRoot: true,
    user: '1000:1000',
    gvisor: true,
  },
};

/** strict and sandboxed: no root processes, the strict syscall filter. */
export const isStrictLevel = (level: IsolationLevel): boolean => level === 'strict' || level === 'sandboxed';

export const strictTmpfs = { '/tmp': 'rw,nosuid,nodev,size=256m', '/run': 'rw,nosuid,nodev,noexec,size=16m' };
const cpuPeriod = 100_000;
export const restartRetries = 3;

export interface IsolationInput {
  level: IsolationLevel;
  resources: Omit<ResourceLimits, 'io' | 'diskBytes'>;
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
  /** The OCI runtime (runtime.ts: runtimeFor); undefined, the engine's default. */
  runtime?: string;
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
    if (features.seccomp) options.push(`seccomp=${seccompProfileFor(isStrictLevel(level) ? 'strict' : 'standard')}`);
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
  // On gVisor the engine's limits also hold gVisor's own processes and memory (runtime.ts).
  const limits = input.runtime === gvisorRuntime ? gvisorLimits(input.resources.pidsLimit, input.resources.memoryBytes) : input.resources;
  if (input.runtime === gvisorRuntime) {
    notes.push(
      `On gVisor the engine's limits include gVisor's own kernel: ${limits.pidsLimit} pids for ${input.resources.pidsLimit} processes in the box, ${formatBytes(limits.memoryBytes)} of memory for ${formatBytes(input.resources.memoryBytes)}; going over the memory limit stops the whole box, not one process.`,
      "On gVisor the seccomp profile filters the box's own processes; terminals and commands run into it (exec sessions) meet gVisor's kernel alone, which serves their system calls itself.",
    );
  }
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
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    PidsLimit: limits.pidsLimit,
    BlkioWeight: input.resources.blkioWeight,
    OomKillDisable: false,
    ...(input.runtime ? { Runtime: input.runtime } : {}),
    // gVisor refuses a fork past RLIMIT_NPROC cleanly, where the engine's pids limit stops the whole box (runtime.ts).
    ...(input.runtime === gvisorRuntime ? { Ulimits: [{ Name: 'nproc', Soft: input.resources.pidsLimit, Hard: input.resources.pidsLimit }] } : {}),
  };
  return {
    hostConfig,
    exposedPorts,
    user: profile.user,
    notes,
  };
}
