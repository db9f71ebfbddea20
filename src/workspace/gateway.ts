import { EngineConnection } from '../engine/connection';
import { captureExec } from '../engine/captureExec';
import { createContainer, putArchive, removeContainer, restartContainer, startContainer } from '../engine/containers';
import { EngineError, InputError } from '../engine/errors';
import { connectNetwork } from '../engine/networks';
import type { ContainerCreateOptions, PortMap } from '../engine/types';
import { parseAllowedHosts } from '../isolation/egress';
import { GatewayPlan, gatewayFiles } from '../isolation/gatewayConfig';
import { sharedGatewayFiles } from '../isolation/sharedGatewayConfig';
import { intToIpv4, ipv4ToInt } from '../isolation/subnets';
import { gatewayImage } from './gatewayImage';
import { labels } from './model';
import { packFiles } from './pack';

/** A gateway carries `aicli.managed=gateway`: managed, but never listed as a workspace. */
export const gatewayLabels = { role: 'gateway', of: 'aicli.gateway.of' } as const;
export const gatewayNameFor = (id: string): string => `aicli-gateway-${id}`;
export const egressNetworkNameFor = (id: string): string => `aicli-egress-${id}`;

/** On the box's network: .1 is the box's route (claimed by the gateway), .2 the box, .3 the gateway. */
export function insideAddresses(subnet: string): { boxGateway: string; boxIp: string; gatewayIp: string } {
  const base = ipv4ToInt(subnet.split('/')[0]!);
  return { boxGateway: intToIpv4(base + 1), boxIp: intToIpv4(base + 2), gatewayIp: intToIpv4(base + 3) };
}

/**
 * The box's network options: the engine gives its host bridge no address, so nothing on it
 * reaches the host, and the host has no route into it; only the gateway does.
 */
export const insideNetworkOptions = { 'com.docker.network.bridge.inhibit_ipv4': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'false' };

/** No IPv6 in the box or the gateway: link-local addresses would reach the host's bridge. */
export const noIpv6 = { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' };

const gatewayMemory = 64 * 1024 * 1024;

export interface GatewayRequest {
  workspaceId: string;
  labels: Record<string, string>;
  plan: GatewayPlan;
  insideNetwork: string;
  outsideNetwork: string;
  /** The plan's port bindings, published on the gateway instead of the box. */
  portBindings: PortMap;
  exposedPorts: Record<string, object>;
}

/** The gateway container's options (bench/create makes the same container from them). */
export function gatewayContainerOptions(request: Omit<GatewayRequest, 'plan' | 'insideNetwork'>): ContainerCreateOptions {
  return {
    name: gatewayNameFor(request.workspaceId),
    Image: gatewayImage,
    Labels: { ...request.labels, [labels.managed]: gatewayLabels.role, [gatewayLabels.of]: request.workspaceId },
    ExposedPorts: request.exposedPorts,
    HostConfig: {
      NetworkMode: request.outsideNetwork,
      PortBindings: request.portBindings,
      CapDrop: ['ALL'],
      // KILL: a reload ends the front resolver, which runs as nobody, so the loop starts it again.
      CapAdd: ['NET_ADMIN', 'NET_RAW', 'NET_BIND_SERVICE', 'SETUID', 'SETGID', 'KILL'],
      SecurityOpt: ['no-new-privileges=true'],
      Sysctls: { 'net.ipv4.ip_forward': '1', ...noIpv6 },
      RestartPolicy: { Name: 'unless-stopped' },
      Init: true,
      Memory: gatewayMemory,
      MemorySwap: gatewayMemory,
      PidsLimit: 32,
      CpuPeriod: 100_000,
      CpuQuota: 50_000,
      Privileged: false,
      IpcMode: 'private',
      Tmpfs: { '/run': 'rw,nosuid,nodev,noexec,size=4m', '/tmp': 'rw,nosuid,nodev,noexec,size=4m' },
    },
  };
}

/**
 * Creates the gateway (not started): on its outside network, joined to the box's network at
 * the gateway address, with its rules and resolver configuration in /etc/aicli. It holds
 * only the capabilities filtering and forwarding need; its rules live in its own network
 * namespace, which the box cannot enter.
 */
export async function createGateway(connection: EngineConnection, request: GatewayRequest): Promise<string> {
  const id = await createContainer(connection, gatewayContainerOptions(request));
  try {
    // A box in the gateway's namespace has no network of its own to join.
    if (request.plan.boxNetwork !== 'shared')
      await connectNetwork(connection, request.insideNetwork, id, { IPAMConfig: { IPv4Address: request.plan.gatewayIp } });
    await writeGatewayPlan(connection, id, request.plan);
    return id;
  } catch (err) {
    await removeContainer(connection, id, { force: true }).catch(() => undefined);
    throw err;
  }
}

const planFile = '/etc/aicli/plan.json';

/** The plan itself goes along, so a later change (allowing a host) starts from what is enforced. */
async function writeGatewayPlan(connection: EngineConnection, gateway: string, plan: GatewayPlan): Promise<void> {
  const files = { ...(plan.boxNetwork === 'shared' ? sharedGatewayFiles(plan) : gatewayFiles(plan)), 'plan.json': JSON.stringify(plan, null, 2) };
  await putArchive(connection, gateway, packFiles(Object.fromEntries(Object.entries(files).map(([name, content]) => [`aicli/${name}`, content]))), '/etc');
}

/** What the workspace's gateway enforces now. */
export async function readGatewayPlan(connection: EngineConnection, workspaceId: string): Promise<GatewayPlan> {
  const read = await captureExec(connection, gatewayNameFor(workspaceId), { cmd: ['/bin/busybox', 'cat', planFile] });
  if (read.code !== 0)
    throw new InputError(
      'workspace',
      `The egress gateway of this workspace has no plan (${read.stderr.trim() || `exit ${read.code}`}); recreate the workspace.`,
    );
  return JSON.parse(read.stdout) as GatewayPlan;
}

/**
 * Lets the box reach more hosts (names, `*.domain`s or CIDRs), kept in the gateway on the
 * engine (never in the project folder), and restarts the gateway with it (about a second; open
 * connections of the box are reset), or, for a box in its namespace, reloads it in place. A
 * workspace with egress `none` becomes `allowlist`.
 */
export async function allowEgress(connection: EngineConnection, workspaceId: string, entries: string[]): Promise<GatewayPlan> {
  const plan = await readGatewayPlan(connection, workspaceId);
  const added = parseAllowedHosts(entries);
  const allow = parseAllowedHosts([...plan.allow.domains, ...plan.allow.cidrs, ...added.domains, ...added.cidrs]);
  const next: GatewayPlan = { ...plan, mode: plan.mode === 'open' ? 'open' : 'allowlist', allow };
  const gateway = gatewayNameFor(workspaceId);
  await writeGatewayPlan(connection, gateway, next);
  if (plan.boxNetwork === 'shared') await reloadGateway(connection, gateway);
  else await restartContainer(connection, gateway, { t: 1 });
  return next;
}

/** The box shares the gateway's namespace, which a restart would replace: the plan is loaded in place. */
async function reloadGateway(connection: EngineConnection, gateway: string): Promise<void> {
  const reload = await captureExec(connection, gateway, { cmd: ['/bin/busybox', 'sh', '/usr/local/bin/aicli-gateway', 'reload'], user: '0' });
  if (reload.code !== 0)
    throw new InputError(
      'workspace',
      `The egress gateway did not take the new hosts (${reload.stderr.trim() || `exit ${reload.code}`}); the old ones still hold.`,
    );
}

/** Starts the workspace's gateway if it is not running; a workspace made without one is left as it is. */
export async function startGateway(connection: EngineConnection, workspaceId: string): Promise<void> {
  await startContainer(connection, gatewayNameFor(workspaceId), { ifStopped: true }).catch((err: unknown) => {
    // A workspace from before gateways has none.
    if (!(err instanceof EngineError && err.kind === 'notFound')) throw err;
  });
}
