import type { EngineVersion } from '../engine/connection';
import { engineProduct } from '../engine/product';

/**
 * Why no workspace is created on Podman (measured on Podman 4.3.1's Docker-compatible API,
 * bench and facts in the README): each one breaks a wall the levels stand on. Refused before
 * anything is made, so nothing is left behind; everything that only reads (list, stats,
 * logs, events, doctor) works there.
 */
export const podmanShortcomings = [
  // Docker's internal bridge without an address (inhibit_ipv4) is what keeps a box from the host.
  "its bridge networks ignore inhibit_ipv4, enable_icc and enable_ip_masquerade, so a workspace's network would reach the host at the bridge's address",
  "it reads a seccomp= option as a file path on the engine's host, so the inline profile of standard and strict is refused",
  'a box user that is not root keeps every capability not dropped as an ambient capability (CHOWN, DAC_OVERRIDE, SETUID…)',
  'its archive API names entries from / and gives them all to root, so review mode would see no changes and remove would drop them without asking',
] as const;

/** The refusal for a Podman engine, or undefined for any other. */
export function podmanRefusal(version: Pick<EngineVersion, 'Version' | 'Components'>, host: string): string | undefined {
  const product = engineProduct(version);
  if (product.name !== 'Podman') return undefined;
  return (
    `The engine at ${host} is Podman ${product.version}, where workspaces cannot be isolated: ${podmanShortcomings.join('; ')}. ` +
    'Use a Docker engine for workspaces (aicli.engine.host; `npm start` starts a private one); listing, logs and stats of Podman containers still work.'
  );
}
