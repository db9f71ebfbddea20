import type { EngineVersion } from './connection';

/** Which program answers the Docker API: dockerd, or Podman's compatible service. */
export interface EngineProduct {
  name: 'Docker' | 'Podman';
  version: string;
}

/** Podman's GET /version lists a component "Podman Engine"; dockerd's lists "Engine" (or nothing, on old engines). */
export function engineProduct(version: Pick<EngineVersion, 'Version' | 'Components'>): EngineProduct {
  const podman = (version.Components ?? []).find((component) => component.Name === 'Podman Engine');
  return podman ? { name: 'Podman', version: podman.Version || version.Version } : { name: 'Docker', version: version.Version };
}

/** "Docker 20.10.24", "Podman 4.3.1": how the product names an engine to the user. */
export function engineProductName(version: Pick<EngineVersion, 'Version' | 'Components'>): string {
  const product = engineProduct(version);
  return `${product.name} ${product.version}`;
}
