import { EngineConnection } from './connection';
import { filtersParameter, labelFilter, ManagedKind } from './filters';
import type { VolumeInspectInfo } from './types';

/** Named volumes. Writes go to the untimed client: removing a large volume takes the engine a while. */

export interface VolumeQuery {
  /** Default `workspace` (aicli.managed=true); `any` lists every volume. */
  kind?: ManagedKind;
  labels?: Record<string, string>;
  /** Only volumes no container refers to. */
  dangling?: boolean;
}

export async function listVolumes(connection: EngineConnection, query: VolumeQuery = {}, what = 'list volumes'): Promise<VolumeInspectInfo[]> {
  const filters = filtersParameter({ label: labelFilter(query.kind, query.labels), dangling: query.dangling ? ['true'] : undefined });
  const listed = await connection.call(what, (docker) => docker.listVolumes(filters ? { filters } : {}));
  // Podman 4.3 ORs several label filters on volumes where dockerd ANDs them: a volume with only
  // one of the labels (not ours) would reach cleanup. Every label is checked here again.
  const wanted = labelFilter(query.kind, query.labels).map((filter) => filter.split(/=(.*)/s) as [string, string | undefined]);
  return (listed.Volumes ?? []).filter((volume) =>
    wanted.every(([key, value]) => (volume.Labels ?? {})[key] !== undefined && (value === undefined || volume.Labels?.[key] === value)),
  );
}

/** `driverOptions`: the local driver's mount (type, device, o), e.g. an overlay over a folder. */
export async function createVolume(
  connection: EngineConnection,
  name: string,
  labels: Record<string, string>,
  what = `create volume ${name}`,
  driverOptions?: Record<string, string>,
): Promise<void> {
  const options = driverOptions ? { Driver: 'local', DriverOpts: driverOptions } : {};
  await connection.call(what, (docker) => docker.createVolume({ Name: name, Labels: labels, ...options }), { untimed: true });
}

export async function inspectVolume(connection: EngineConnection, name: string, what = `inspect volume ${name}`): Promise<VolumeInspectInfo> {
  return connection.call(what, (docker) => docker.getVolume(name).inspect());
}

export async function removeVolume(connection: EngineConnection, name: string, what = `remove volume ${name}`): Promise<void> {
  await connection.call(what, (docker) => docker.getVolume(name).remove(), { untimed: true });
}
