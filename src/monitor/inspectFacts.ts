import { realpathSync } from 'node:fs';
import type { EngineTarget } from '../engine/target';
import { engineSocketPaths } from '../isolation/mounts';
import { seccompProfileFor } from '../isolation/seccomp';

/**
 * The one reading of a container inspect for what it grants: the configuration audit raises
 * alerts from these facts and the policy document prints them, so the two cannot disagree.
 */

/** The parts of a container inspect read here and by the audit (dockerode's ContainerInspectInfo fits). */
export interface InspectedContainer {
  HostConfig?: {
    Privileged?: boolean;
    Binds?: string[] | null;
    Mounts?: { Source?: string }[] | null;
    NetworkMode?: string;
    PidMode?: string;
    IpcMode?: string;
    UTSMode?: string;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    PortBindings?: unknown;
  };
  Mounts?: { Source?: string }[] | null;
  NetworkSettings?: { Ports?: unknown };
}

/** unconfined: no filter; aicli: the profile of policies/seccomp.json; custom: another profile; default: the engine's. */
export type SeccompState = 'unconfined' | 'aicli' | 'custom' | 'default';
export type HostNamespace = 'network' | 'pid' | 'ipc' | 'uts';

export interface InspectFacts {
  privileged: boolean;
  noNewPrivileges: boolean;
  seccomp: SeccompState;
  /** Mount sources that are the engine socket, any *docker.sock, or a folder holding the socket. */
  engineSocketMounts: string[];
  hostNamespaces: HostNamespace[];
}

export function inspectFacts(container: InspectedContainer, engineSockets: string[]): InspectFacts {
  const host = container.HostConfig ?? {};
  const modes: [HostNamespace, string | undefined][] = [
    ['network', host.NetworkMode],
    ['pid', host.PidMode],
    ['ipc', host.IpcMode],
    ['uts', host.UTSMode],
  ];
  return {
    privileged: host.Privileged === true,
    ...securityOptions(host.SecurityOpt ?? []),
    engineSocketMounts: engineSocketMounts(container, engineSockets),
    hostNamespaces: modes.filter(([, mode]) => mode === 'host').map(([name]) => name),
  };
}

/** What Go's strconv.ParseBool, which the engine uses for `no-new-privileges=<bool>`, takes as true. */
const goTrue = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
let aicliProfiles: Set<string> | undefined;

/**
 * SecurityOpt as the engine applies it (moby's parseSecurityOpt): a bare `no-new-privileges`, or
 * key and value split at the first `=`, else at the first `:` (the deprecated form); the last
 * option for a key wins. The engine refuses anything else at create, so it never shows here.
 */
function securityOptions(options: readonly string[]): Pick<InspectFacts, 'noNewPrivileges' | 'seccomp'> {
  let noNewPrivileges = false;
  let seccomp = '';
  for (const option of options.map((text) => text.trim())) {
    if (option === 'no-new-privileges') {
      noNewPrivileges = true;
      continue;
    }
    const at = option.includes('=') ? option.indexOf('=') : option.indexOf(':');
    if (at < 0) continue;
    const key = option.slice(0, at);
    const value = option.slice(at + 1);
    if (key === 'no-new-privileges') noNewPrivileges = goTrue.has(value);
    if (key === 'seccomp') seccomp = value;
  }
  return { noNewPrivileges, seccomp: seccompState(seccomp) };
}

function seccompState(value: string): SeccompState {
  if (value === 'unconfined') return 'unconfined';
  // Newer engines take `builtin` for their default profile.
  if (value === '' || value === 'builtin') return 'default';
  aicliProfiles ??= new Set([seccompProfileFor('standard'), seccompProfileFor('strict')]);
  return aicliProfiles.has(value) ? 'aicli' : 'custom';
}

function mountSources(container: InspectedContainer): string[] {
  const sources = [
    ...(container.Mounts ?? []).map((mount) => mount.Source ?? ''),
    ...(container.HostConfig?.Mounts ?? []).map((mount) => mount.Source ?? ''),
    ...(container.HostConfig?.Binds ?? []).map((bind) => bind.split(':')[0] ?? ''),
  ];
  return [...new Set(sources.filter(Boolean).map((source) => (source.length > 1 ? source.replace(/\/+$/, '') : source)))];
}

const isAncestorOrSame = (folder: string, path: string): boolean => path === folder || path.startsWith(folder === '/' ? '/' : `${folder}/`);

function engineSocketMounts(container: InspectedContainer, engineSockets: string[]): string[] {
  const sockets = [...new Set([...engineSocketPaths, ...engineSockets])];
  return mountSources(container).filter((source) => source.endsWith('docker.sock') || sockets.some((socket) => isAncestorOrSame(source, socket)));
}

/** The socket path(s) of a local engine (as configured and as resolved), for engineSocketMounts. */
export function engineSocketsOf(target: EngineTarget | undefined): string[] {
  const spec = target?.spec;
  if (spec?.scheme !== 'unix') return [];
  try {
    return [...new Set([spec.socketPath, realpathSync(spec.socketPath)])];
  } catch {
    return [spec.socketPath];
  }
}
