import { randomInt } from 'node:crypto';
import { EngineConnection } from '../engine/connection';
import { createNetwork, listNetworks } from '../engine/networks';
import { SubnetPool } from '../isolation/subnets';

function isPoolOverlap(err: unknown): boolean {
  // Podman: "subnet 172.20.0.0/24 is already used on the host or by another config".
  return /overlap|Pool.*in use|already exists|already used/i.test(String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message));
}

export interface CreatedNetwork {
  id: string;
  subnet: string;
  gateway: string;
}

/** Creates a network on a free subnet; an overlap means another client won a race, so retry. */
export async function createWorkspaceNetwork(
  connection: EngineConnection,
  name: string,
  options: Record<string, string>,
  networkLabels: Record<string, string>,
  pool: SubnetPool,
): Promise<CreatedNetwork> {
  for (let attempt = 0; ; attempt++) {
    const existing = await listNetworks(connection, { kind: 'any' });
    const taken = existing.flatMap((network) => (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? '')).filter(Boolean);
    // Another process may be racing for the same subnets: after a clash, start somewhere random.
    const lease = pool.allocate(taken, attempt === 0 ? 0 : randomInt(1024));
    try {
      const id = await createNetwork(connection, {
        Name: name,
        Driver: 'bridge',
        Attachable: false,
        Internal: false,
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: lease.subnet, Gateway: lease.gateway }] },
        Options: options,
        Labels: networkLabels,
      });
      return { id, subnet: lease.subnet, gateway: lease.gateway };
    } catch (err) {
      if (attempt >= 7 || !isPoolOverlap(err)) throw err;
    } finally {
      lease.release();
    }
  }
}
