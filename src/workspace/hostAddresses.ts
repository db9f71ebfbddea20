import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { EngineConnection } from '../engine/connection';
import { isLocalEngine } from '../engine/target';

/**
 * The engine host's own IPv4 addresses, which a box must never reach (its services answer on
 * them). A local engine runs on this machine, so all of its interfaces count; of a remote one
 * only the address we reach it at is known (the README says so).
 */
export async function engineHostAddresses(connection: EngineConnection): Promise<string[]> {
  if (isLocalEngine(connection.target)) return localHostAddresses();
  const { spec } = connection.target;
  if (spec.scheme !== 'tcp' && spec.scheme !== 'ssh') return [];
  const found = await lookup(spec.host, { all: true, family: 4 }).catch(() => []);
  return found.map((address) => `${address.address}/32`);
}

/** This machine's IPv4 addresses, as /32 CIDRs. */
export function localHostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address?.family === 'IPv4')
    .map((address) => `${address!.address}/32`);
}
