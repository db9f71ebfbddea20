// Removing what a test run made, found by its run label (labels.ts), and counting it.
// A type-only import of dockerode: the extension-host tests pass the extension's own client.
import type Docker from 'dockerode';
import { runFilters } from './labels';

export type SweptKind = 'containers' | 'networks' | 'volumes' | 'images';
/** With the images: for suites that build, pull or commit labelled images. */
export const everyKind: readonly SweptKind[] = ['containers', 'networks', 'volumes', 'images'];

/**
 * Removes the run's resources of these kinds, best effort (what is already gone is no failure):
 * containers first, since they hold the networks, volumes and images; images last.
 */
export async function sweepRun(docker: Docker, runId: string, kinds: readonly SweptKind[] = ['containers', 'networks', 'volumes']): Promise<void> {
  const filters = runFilters(runId);
  const ignore = (): undefined => undefined;
  if (kinds.includes('containers')) {
    for (const info of await docker.listContainers({ all: true, filters })) await docker.getContainer(info.Id).remove({ force: true }).catch(ignore);
  }
  if (kinds.includes('networks')) {
    for (const info of await docker.listNetworks({ filters })) await docker.getNetwork(info.Id).remove().catch(ignore);
  }
  if (kinds.includes('volumes')) {
    // A volume a container was just removed from can still be busy for a moment (an overlay view
    // being unmounted): one more try after a pause.
    const remove = (name: string): Promise<unknown> => docker.getVolume(name).remove();
    for (const info of (await docker.listVolumes({ filters })).Volumes ?? []) {
      await remove(info.Name).catch(() => new Promise((done) => setTimeout(done, 500)).then(() => remove(info.Name)).catch(ignore));
    }
  }
  if (kinds.includes('images')) {
    for (const info of await docker.listImages({ filters })) await docker.getImage(info.Id).remove({ force: true }).catch(ignore);
  }
}

/** Counts the run's containers and networks, to prove a failed create left nothing behind. */
export async function countRun(docker: Docker, runId: string): Promise<{ containers: number; networks: number }> {
  const filters = runFilters(runId);
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: containers.length, networks: networks.length };
}
