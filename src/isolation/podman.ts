import type { EngineVersion } from '../engine/connection';
import { engineProduct } from '../engine/product';
import type { IsolationLevel } from './levels';
import type { ProjectMountMode } from './projectMount';
import { resolverUid } from './sharedGatewayConfig';

/**
 * What a workspace on Podman is (measured on Podman 4.3.1's Docker-compatible API; README):
 * strict, with the folder bound, on a local engine, the box in its gateway's network namespace
 * (its bridges always give the host an address: sharedGatewayConfig.ts). Everything else is
 * refused before anything is made, each with its reason and what to do.
 */
export const podmanWorkspaces = 'workspaces at strict only, with the folder bound (--mount bind), on an engine on this machine';

/** Why each other choice is refused there (the create names the ones it meets). */
export const podmanRefusals = {
  level:
    "a box holding SETUID (basic, standard) could take the uid of the gateway's resolvers, the only traffic let out of the network namespace it shares with its gateway; sandboxed asks for runsc, which Podman replaces with runc without a word",
  mount:
    'review and copy read the engine\'s archive API, which Podman names from "/" and gives all to root (review would see no changes, remove would drop them without asking)',
  remote: 'Podman reads a seccomp profile as a file on its own host, which this machine cannot write for a remote engine',
  resolverUser: `the box user is the uid of the gateway's resolvers (${resolverUid}), whose traffic the gateway lets out`,
} as const;

export interface PodmanCreate {
  level: IsolationLevel;
  mount: ProjectMountMode;
  remote: boolean;
  /** The box's user ("uid:gid"). */
  user: string | undefined;
}

const isPodman = (version: Pick<EngineVersion, 'Version' | 'Components'>): boolean => engineProduct(version).name === 'Podman';

/** The doctor's line for a Podman engine, or undefined for any other. */
export function podmanNote(version: Pick<EngineVersion, 'Version' | 'Components'>, host: string): string | undefined {
  if (!isPodman(version)) return undefined;
  return `The engine at ${host} is Podman ${engineProduct(version).version}: ${podmanWorkspaces}; the box shares its gateway's network namespace.`;
}

/** The refusal of this create on a Podman engine (every reason it meets), or undefined. */
export function podmanCreateRefusal(version: Pick<EngineVersion, 'Version' | 'Components'>, host: string, create: PodmanCreate): string | undefined {
  if (!isPodman(version)) return undefined;
  const reasons: string[] = [];
  const fixes: string[] = [];
  if (create.level !== 'strict') {
    reasons.push(podmanRefusals.level);
    fixes.push('--level strict (aicli.isolation.level)');
  }
  if (create.mount !== 'bind') {
    reasons.push(podmanRefusals.mount);
    fixes.push('--mount bind (aicli.workspace.projectMount; the box then writes the folder itself)');
  }
  if (create.remote) reasons.push(podmanRefusals.remote);
  if (Number((create.user ?? '0').split(':')[0]) === resolverUid) reasons.push(podmanRefusals.resolverUser);
  if (!reasons.length) return undefined;
  const fix = create.remote
    ? 'Use a Docker engine, or a Podman service on this machine'
    : fixes.length
      ? `Create with ${fixes.join(' and ')}, or use a Docker engine`
      : 'Use a folder another user owns, or a Docker engine';
  return `The engine at ${host} is Podman ${engineProduct(version).version}, which makes ${podmanWorkspaces}: ${reasons.join('; ')}. ${fix}.`;
}
