import { isLocalEngine } from '../engine/target';
import { EngineConnection, EngineInfo } from '../engine/connection';
import { createContainer, listContainers, removeContainer, startContainer } from '../engine/containers';
import { inspectImage } from '../engine/images';
import { removeNetwork } from '../engine/networks';
import type { ImageInspectInfo } from '../engine/types';
import { removeVolume } from '../engine/volumes';
import { engineShortcomings } from '../engine/placement';
import { securityFeatures } from '../engine/report';
import { InputError, MissingImageError, toEngineError } from '../engine/errors';
import { imageHasHealthCheck } from './health';
import { IsolationLevel, isolationPlan, IsolationPlan } from '../isolation/levels';
import { checkEngineSocketMount, checkProjectFolder } from '../isolation/mounts';
import { workspaceUserFor } from '../isolation/folderOwner';
import { defaultProtectedPaths, normalizeProtectedPaths } from '../isolation/projectMount';
import { createProjectMount, fillProjectMount, planProjectMount, ProjectMountPlan } from './mountPlan';
import { checkNoDuplicateHostPorts, parsePortMapping, PortMapping } from '../isolation/ports';
import { hasIoCaps, IoCaps, parseResources } from '../isolation/resources';
import { engineIoDevice, ioCapsFor } from './ioDevice';
import { checkUserNamespace, remapped } from '../isolation/userns';
import { createWithDiskLimit } from './diskQuota';
import { podmanCreateRefusal } from '../isolation/podman';
import { checkRuntimeSetting, engineRuntimes, runtimeFor } from '../isolation/runtime';
import { SubnetPool } from '../isolation/subnets';
import { checkLevel, checkWorkspaceName, containerNameFor, defaultWorkspaceName, labels, networkNameFor, newWorkspaceId } from './model';
import { egressModeFor, EgressMode, EgressAllowList, parseAllowedHosts } from '../isolation/egress';
import { createGateway, egressNetworkNameFor } from './gateway';
import { BoxNetwork, boxNetworkFor, boxNetworkOptions, createWorkspaceNetworks, gatewayPlanFor } from './boxNetwork';
import { seccompProfilesAsFiles } from './seccompFiles';
import { ensureGatewayImage } from './gatewayImage';
import { engineHostAddresses } from './hostAddresses';
import { CreateStep, CreateWorkspaceRequest, WorkspacePolicy } from './request';
import { checkEnvironment } from './environment';
import { attachLabel } from './attach';
import { stopSignalFor } from './stopSignal';

export interface ValidatedCreate {
  id: string;
  name: string;
  image: string;
  folder: string;
  plan: IsolationPlan;
  /** The image's config, read once during validation. */
  imageConfig: ImageInspectInfo['Config'];
  labels: Record<string, string>;
  /** The policy's own labels (test runs), also put on the gateway. */
  policyLabels: Record<string, string>;
  ports: PortMapping[];
  egress: { mode: EgressMode; allow: EgressAllowList; refused: string[] };
  /** Loud: things that weaken the sandbox because the user asked for them. */
  warnings: string[];
  /** What the engine cannot enforce here (no AppArmor, blkio weight discarded…). */
  notes: string[];
  /** How the box sees the folder (review view, copy, bind). */
  mount: ProjectMountPlan;
  /** The I/O caps asked for, put on the engine's data device once found; the engine's id and data root key its cache (ioDevice.ts). */
  io: IoCaps;
  engine: { id: string; dataRoot: string };
  boxNetwork: BoxNetwork;
  /** The box's writable layer, bytes (0: no limit); see diskQuota.ts. */
  diskBytes: number;
  /** KEY=VALUE of the request's env. */
  env: string[];
}

/** A tcp:// or ssh:// engine cannot see this machine's folders. */
export function isRemoteEngine(connection: EngineConnection): boolean {
  return !isLocalEngine(connection.target);
}

export { projectVolumeFor } from './mountPlan';

/** Refuses an engine that cannot enforce what every level relies on, naming what is missing. */
function checkEngineCanIsolate(info: EngineInfo, connection: EngineConnection): void {
  const missing = engineShortcomings(info);
  if (missing.length) {
    throw new InputError(
      'engine',
      `The engine at ${connection.host} cannot enforce ${missing.join(', ')}, which every isolation level needs; choose another engine.`,
    );
  }
}

function socketPathOf(connection: EngineConnection): string[] {
  return connection.target.spec.scheme === 'unix' ? [connection.target.spec.socketPath] : [];
}

/** The image is on the engine and no workspace has the name yet. */
async function checkImageAndName(connection: EngineConnection, image: string, name: string): Promise<ImageInspectInfo> {
  if (!image) throw new InputError('image', 'No image given: set aicli.workspace.defaultImage or choose an image.');
  const imageInfo = await inspectImage(connection, image).catch((err: unknown) => {
    const mapped = toEngineError(err, connection.host);
    if (mapped.kind !== 'notFound') throw mapped;
    throw new MissingImageError(image, connection.host);
  });
  const taken = await listContainers(connection, { labels: { [labels.name]: name } }, `list workspaces named ${name}`);
  if (taken.length > 0) throw new InputError('name', `A workspace named "${name}" already exists; choose another name or remove that one.`);
  return imageInfo;
}

/** The labels only some workspaces carry: a runtime other than the default, what terminals get. */
function optionalLabels(runtime: string | undefined, request: CreateWorkspaceRequest): Record<string, string> {
  return { ...(runtime ? { [labels.runtime]: runtime } : {}), ...attachLabel(request.attach) };
}

/**
 * The box runs as the folder's owner where the level has a user of its own; on Podman, only
 * once user, level and mount are known can the create be judged (isolation/podman.ts).
 */
function settleBoxUser(
  connection: EngineConnection,
  box: { folder: string; level: IsolationLevel; plan: IsolationPlan; mount: ProjectMountPlan['mode']; notes: string[] },
): void {
  const owner = workspaceUserFor(box.folder, box.level, box.plan.user);
  box.plan.user = owner.user;
  box.notes.push(...owner.notes);
  const podman = podmanCreateRefusal(connection.engineVersion, connection.host, {
    level: box.level,
    mount: box.mount,
    remote: isRemoteEngine(connection),
    user: box.plan.user,
  });
  if (podman) throw new InputError('engine', podman);
}

/** Every check that can fail, done before the first engine write. */
export async function validateCreate(connection: EngineConnection, request: CreateWorkspaceRequest, policy: WorkspacePolicy): Promise<ValidatedCreate> {
  const level = checkLevel(request.level ?? policy.defaultLevel);
  const folder = checkProjectFolder(request.folder, {
    home: policy.home,
    engineSockets: socketPathOf(connection),
    allowEngineSocket: policy.mountEngineSocket,
  });
  const name = checkWorkspaceName(request.name ?? defaultWorkspaceName(folder));
  const ports = (request.publish ?? []).map((spec) => parsePortMapping(spec, policy.ports));
  checkNoDuplicateHostPorts(ports);
  const egressMode = egressModeFor(level, request.egress ?? policy.egress);
  const allow = parseAllowedHosts([...(policy.allowedHosts ?? []), ...(request.allow ?? [])]);
  const info = await connection.info();
  checkEngineCanIsolate(info, connection);
  const resources = parseResources({ ...policy.resources, ...request.resources }, info.NCPU, info.MemTotal);
  const runtime = runtimeFor(level, checkRuntimeSetting(request.runtime ?? policy.runtime), engineRuntimes(info), connection.host);
  const image = (request.image ?? policy.defaultImage).trim();
  const imageInfo = await checkImageAndName(connection, image, name);

  const socket = checkEngineSocketMount({ home: policy.home, engineSockets: [], allowEngineSocket: policy.mountEngineSocket });
  const id = newWorkspaceId(folder);
  const protectedPaths = normalizeProtectedPaths(policy.protectedPaths ?? defaultProtectedPaths);
  // Only a bind shares the folder itself; a view or a copy has nothing of the folder's to protect.
  const security = securityFeatures(info);
  checkUserNamespace(level, policy.requireUserNamespace === true, security, connection.host);
  const mount = planProjectMount(
    folder,
    id,
    request.mount ?? policy.projectMount,
    isRemoteEngine(connection),
    protectedPaths,
    connection.host,
    remapped(security),
  );
  const plan = isolationPlan({
    level,
    resources,
    features: security,
    folder,
    networkName: networkNameFor(id),
    ports,
    engineSocket: socket ? (socketPathOf(connection)[0] ?? '/var/run/docker.sock') : undefined,
    projectVolume: mount.volume,
    protectedMounts: mount.protection?.mounts,
    runtime,
  });
  const notes = [...plan.notes, ...mount.notes];
  settleBoxUser(connection, { folder, level, plan, mount: mount.mode, notes });
  return {
    id,
    name,
    image,
    folder,
    plan,
    imageConfig: imageInfo.Config,
    labels: {
      ...policy.labels,
      [labels.managed]: 'true',
      [labels.id]: id,
      [labels.name]: name,
      [labels.level]: level,
      [labels.folder]: folder,
      [labels.egress]: egressMode,
      [labels.mount]: mount.mode,
      ...optionalLabels(runtime, request),
    },
    policyLabels: { ...policy.labels },
    ports,
    egress: { mode: egressMode, allow, refused: await engineHostAddresses(connection) },
    warnings: socket ? [socket.warning] : [],
    notes,
    mount,
    io: resources.io,
    diskBytes: resources.diskBytes,
    env: Object.entries(checkEnvironment(request.env ?? {})).map(([key, value]) => `${key}=${value}`),
    engine: { id: info.ID ?? '', dataRoot: info.DockerRootDir ?? '' },
    boxNetwork: boxNetworkFor(connection.engineVersion),
  };
}

/**
 * Networks, gateway, container, start — and if any step fails, everything made so far is
 * removed. The box's only way out is its gateway (see gateway.ts); the project folder is only
 * ever bind-mounted, never written.
 */
export async function createWorkspaceResources(
  connection: EngineConnection,
  validated: ValidatedCreate,
  pool: SubnetPool,
  onStep: (step: CreateStep) => void,
): Promise<string> {
  // Ids and names of what was made, removed again if a later step fails.
  const made: { networks: string[]; containers: string[]; volumes: string[] } = { networks: [], containers: [], volumes: [] };
  let gatewayStarted: Promise<void> | undefined;
  const mountRequest = { id: validated.id, folder: validated.folder, labels: validated.labels, policyLabels: validated.policyLabels, plan: validated.mount };
  try {
    onStep('gateway');
    await ensureGatewayImage(connection);
    onStep('network');
    const device = hasIoCaps(validated.io) ? engineIoDevice(connection, validated.engine, validated.policyLabels) : undefined; // probed while the networks are made
    const networks = await createWorkspaceNetworks(
      connection,
      { id: validated.id, labels: validated.labels, boxNetwork: validated.boxNetwork },
      pool,
      made.networks,
    );
    const ioCaps = await ioCapsFor(validated.io, device, validated.notes);
    await createProjectMount(connection, mountRequest, made);
    onStep('container');
    const plan = gatewayPlanFor(validated, networks);
    const gateway = await createGateway(connection, {
      workspaceId: validated.id,
      labels: validated.policyLabels,
      plan,
      insideNetwork: networkNameFor(validated.id),
      outsideNetwork: egressNetworkNameFor(validated.id),
      portBindings: validated.plan.hostConfig.PortBindings ?? {},
      exposedPorts: validated.plan.exposedPorts,
    });
    made.containers.push(gateway);
    // The gateway starts while the box is created: its start is the longest step, and the box
    // (no route but through the gateway) fails closed until it runs.
    gatewayStarted = startContainer(connection, gateway);
    gatewayStarted.catch(() => undefined);
    const network = boxNetworkOptions(plan, gateway, validated.plan.exposedPorts, validated.id);
    const securityOpt =
      validated.boxNetwork === 'shared' ? seccompProfilesAsFiles(validated.plan.hostConfig.SecurityOpt) : validated.plan.hostConfig.SecurityOpt;
    const container = await createWithDiskLimit(connection.host, validated.diskBytes, validated.notes, (storageOpt) =>
      createContainer(connection, {
        StopSignal: stopSignalFor(validated.imageConfig),
        name: containerNameFor(validated.id),
        Image: validated.image,
        Labels: { ...validated.labels, [labels.ports]: JSON.stringify(validated.ports) },
        Env: [...validated.env, `WORKSPACE_ID=${validated.id}`, `WORKSPACE_NAME=${validated.name}`],
        WorkingDir: '/workspace',
        User: validated.plan.user,
        Tty: true,
        OpenStdin: true,
        AttachStdin: false,
        ExposedPorts: network.ExposedPorts,
        // The image's own health check wins; otherwise a cheap one that proves the mount is there.
        Healthcheck: imageHasHealthCheck(validated.imageConfig)
          ? undefined
          : { Test: ['CMD-SHELL', 'test -d /workspace'], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 },
        HostConfig: { ...validated.plan.hostConfig, ...ioCaps, StorageOpt: storageOpt, SecurityOpt: securityOpt, ...network.hostConfig },
        NetworkingConfig: network.NetworkingConfig,
      }),
    );
    made.containers.push(container);
    await fillProjectMount(connection, mountRequest, container, () => onStep('copying'));
    onStep('starting');
    // A box in the gateway's namespace needs that namespace first; a routed one fails closed until the gateway runs.
    if (validated.boxNetwork === 'shared') await gatewayStarted;
    await Promise.all([gatewayStarted, startContainer(connection, container)]);
    return container;
  } catch (err) {
    onStep('rollback');
    // A gateway still starting is removed once its start has settled (the engine refuses both at once).
    await gatewayStarted?.catch(() => undefined);
    for (const container of made.containers.reverse()) await removeContainer(connection, container, { force: true, v: true }).catch(() => undefined);
    for (const volume of made.volumes.reverse()) await removeVolume(connection, volume).catch(() => undefined);
    for (const network of made.networks) await removeNetwork(connection, network).catch(() => undefined);
    throw toEngineError(err, connection.host);
  }
}
