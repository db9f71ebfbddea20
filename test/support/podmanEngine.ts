// Our private Podman service (scripts/podman.mjs: `podman system service` in a mount namespace of
// its own, storage under ~/.cache/aicli-workspaces/podman) for the tests that meet Podman.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineConnection } from '../../src/engine/connection';
import { repoRoot } from './paths';

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;
const podmanScript = (): Promise<Record<string, unknown>> => importEsm(pathToFileURL(join(repoRoot, 'scripts', 'podman.mjs')).href);

/** Starts it (with the offline base image) and resolves to its DOCKER_HOST. */
export async function startPodmanEngine(): Promise<string> {
  const start = (await podmanScript()).startPodman as (options: { log: (line: string) => void }) => Promise<{ host: string }>;
  return (await start({ log: () => {} })).host;
}

/** Stops it and removes everything it stored. */
export async function stopPodmanEngine(): Promise<void> {
  const stop = (await podmanScript()).stopPodman as (options: { log: (line: string) => void; reset: boolean }) => Promise<void>;
  await stop({ log: () => {}, reset: true });
}

/** How many containers, networks and volumes the engine has: the same before and after means nothing was left. */
export async function engineObjectCounts(connection: EngineConnection): Promise<string> {
  const [containers, networks, volumes] = await Promise.all([
    connection.docker.listContainers({ all: true }),
    connection.docker.listNetworks(),
    connection.docker.listVolumes(),
  ]);
  return `${containers.length} containers, ${networks.length} networks, ${volumes.Volumes?.length ?? 0} volumes`;
}
