import { EngineConnection, EngineVersion } from '../engine/connection';
import { engineProduct } from '../engine/product';
import type { ContainerCreateOptions } from '../engine/types';
import { EgressAllowList, EgressMode } from '../isolation/egress';
import { GatewayPlan } from '../isolation/gatewayConfig';
import { PortMapping } from '../isolation/ports';
import { SubnetPool, workspacePool } from '../isolation/subnets';
import { egressNetworkNameFor, insideAddresses, insideNetworkOptions, noIpv6 } from './gateway';
import { networkNameFor } from './model';
import { settleAll } from './settle';
import { CreatedNetwork, createWorkspaceNetwork } from './workspaceNetwork';

/**
 * How the box gets its network. `routed`: a network of its own whose host bridge has no address,
 * routed through the gateway (Docker). `shared`: the gateway's own namespace, for Podman, whose
 * bridges always give the host an address (sharedGatewayConfig.ts).
 */
export type BoxNetwork = NonNullable<GatewayPlan['boxNetwork']>;

export function boxNetworkFor(version: Pick<EngineVersion, 'Version' | 'Components'>): BoxNetwork {
  return engineProduct(version).name === 'Podman' ? 'shared' : 'routed';
}

export interface WorkspaceNetworks {
  /** The box's own network (routed only). */
  inside?: CreatedNetwork;
  /** The gateway's way out. */
  outside: CreatedNetwork;
}

interface NetworkRequest {
  id: string;
  labels: Record<string, string>;
  boxNetwork: BoxNetwork;
}

/** Makes the networks the box needs; each one's id goes to `made` as soon as it exists. */
export async function createWorkspaceNetworks(
  connection: EngineConnection,
  request: NetworkRequest,
  pool: SubnetPool,
  made: string[],
): Promise<WorkspaceNetworks> {
  const makeOutside = (): Promise<CreatedNetwork> => createWorkspaceNetwork(connection, egressNetworkNameFor(request.id), {}, request.labels, pool);
  if (request.boxNetwork === 'shared') {
    const outside = await makeOutside();
    made.push(outside.id);
    return { outside };
  }
  const [inside, outside] = await settleAll(
    [createWorkspaceNetwork(connection, networkNameFor(request.id), insideNetworkOptions, request.labels, pool), makeOutside()],
    (network) => made.push(network.id),
  );
  return { inside, outside };
}

interface PlanRequest {
  egress: { mode: EgressMode; allow: EgressAllowList; refused: string[] };
  ports: PortMapping[];
}

/** What the gateway enforces for this workspace, once its networks exist. */
export function gatewayPlanFor(request: PlanRequest, networks: WorkspaceNetworks): GatewayPlan {
  const common = {
    mode: request.egress.mode,
    allow: request.egress.allow,
    outsideGateway: networks.outside.gateway,
    refused: [...request.egress.refused, workspacePool, networks.outside.subnet],
    ports: request.ports,
  };
  if (!networks.inside) return { ...common, insideSubnet: '', boxIp: '', gatewayIp: '', boxGateway: '', boxNetwork: 'shared' };
  return { ...common, insideSubnet: networks.inside.subnet, ...insideAddresses(networks.inside.subnet) };
}

type BoxNetworkOptions = Pick<ContainerCreateOptions, 'ExposedPorts' | 'NetworkingConfig'> & { hostConfig: NonNullable<ContainerCreateOptions['HostConfig']> };

/**
 * The box's network options. Its ports are published on the gateway either way (the host has no
 * route to a routed box; a shared one has no interface of its own), and its DNS is the gateway's.
 */
export function boxNetworkOptions(plan: GatewayPlan, gatewayId: string, exposedPorts: Record<string, object>, id: string): BoxNetworkOptions {
  // The gateway's namespace: no address, DNS (the gateway writes the resolv.conf both read) or sysctls of its own.
  if (plan.boxNetwork === 'shared') return { hostConfig: { NetworkMode: `container:${gatewayId}`, PortBindings: {} } };
  return {
    ExposedPorts: exposedPorts,
    hostConfig: { PortBindings: {}, Dns: [plan.gatewayIp], Sysctls: { ...noIpv6 } },
    NetworkingConfig: { EndpointsConfig: { [networkNameFor(id)]: { IPAMConfig: { IPv4Address: plan.boxIp } } } },
  };
}
