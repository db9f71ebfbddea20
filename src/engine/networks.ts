import { EngineConnection } from './connection';
import { filtersParameter, labelFilter, ManagedKind } from './filters';
import type { EndpointSettings, NetworkCreateOptions, NetworkInspectInfo } from './types';

/** Networks, by id or name. Writes go to the untimed client: a busy engine may take its time. */

export interface NetworkQuery {
  /** Default `workspace` (aicli.managed=true); `any` lists every network (to see which subnets are taken). */
  kind?: ManagedKind;
  labels?: Record<string, string>;
}

export function listNetworks(connection: EngineConnection, query: NetworkQuery = {}, what = 'list networks'): Promise<NetworkInspectInfo[]> {
  const filters = filtersParameter({ label: labelFilter(query.kind, query.labels) });
  return connection.call(what, (docker) => docker.listNetworks(filters ? { filters } : {}));
}

/** Resolves to the new network's id. */
export async function createNetwork(connection: EngineConnection, options: NetworkCreateOptions, what = `create network ${options.Name}`): Promise<string> {
  const network = await connection.call(what, (docker) => docker.createNetwork(options), { untimed: true });
  return network.id;
}

/** Joins a container to the network, at a fixed address when the endpoint says so. */
export async function connectNetwork(
  connection: EngineConnection,
  network: string,
  container: string,
  endpoint: EndpointSettings = {},
  what = `connect to ${network}`,
): Promise<void> {
  await connection.call(what, (docker) => docker.getNetwork(network).connect({ Container: container, EndpointConfig: endpoint }), { untimed: true });
}

export async function removeNetwork(connection: EngineConnection, network: string, what = `remove network ${network}`): Promise<void> {
  await connection.call(what, (docker) => docker.getNetwork(network).remove(), { untimed: true });
}
