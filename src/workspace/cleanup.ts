import { formatBytes } from '../engine/bytes';
import { EngineConnection } from '../engine/connection';
import { inspectContainer, listContainers, removeContainer } from '../engine/containers';
import { EngineError, InputError, toEngineError } from '../engine/errors';
import { listImages, removeImage } from '../engine/images';
import { listNetworks, removeNetwork } from '../engine/networks';
import { listVolumes, removeVolume } from '../engine/volumes';
import { removeStorageParts } from './review/parts';
import { shortImageId } from './images';
import { egressNetworkNameFor, gatewayLabels, gatewayNameFor } from './gateway';
import { labels, networkNameFor, workspaceFromSummary } from './model';
import { inReview, WorkspaceChanges } from './review/service';
import { CleanupHelper, describeHelper, leftoverHelpers } from './cleanupHelpers';
import type { ContainerInfo } from '../engine/types';

export interface CleanupOptions {
  /** Exited workspaces whose container finished longer ago than this are removed. */
  maxAgeMs: number;
  /** Epoch milliseconds; defaults to Date.now(). */
  now?: number;
  /**
   * Extra labels every candidate must carry, on top of aicli.managed=true. Scopes a cleanup
   * (tests: to their own run, since concurrent runs share one engine).
   */
  labels?: Record<string, string>;
  /**
   * A managed network younger than this is never an orphan: create makes the network before
   * the container, so another client's create in flight looks like an orphan for a moment.
   * Measured against the real clock, not `now`. Default 10 minutes.
   */
  orphanGraceMs?: number;
  /** Also remove review workspaces whose changes were never applied nor discarded (they are lost). */
  includeUnapplied?: boolean;
}

export const defaultOrphanGraceMs = 10 * 60_000;

/** What started a cleanup (said in its audit record): the command, aicli.cleanup.onStartup, aicli.cleanup.interval, the CLI. */
export type CleanupTrigger = 'command' | 'startup' | 'interval' | 'cli';

export interface CleanupWorkspace {
  id: string;
  name: string;
  containerId: string;
  containerName: string;
  /** The workspace's network, `aicli-workspace-<id>`, when it exists. */
  network?: string;
  /** Its egress gateway container and the gateway's outside network, when they exist. */
  gateway?: string;
  egressNetwork?: string;
  finishedAt: string;
  folder: string;
}

export interface CleanupNetwork {
  id: string;
  name: string;
  workspaceId: string;
}

/** A gateway whose workspace is gone (removed outside AICLI). */
export interface CleanupGateway {
  id: string;
  name: string;
  workspaceId: string;
}

export type { CleanupHelper } from './cleanupHelpers';

export interface CleanupImage {
  id: string;
  size: number;
}

export interface CleanupVolume {
  name: string;
}

/** A dry-run list: exactly what applyCleanup removes. Folders are never part of it. */
export interface CleanupPlan {
  workspaces: CleanupWorkspace[];
  /** Removed before the networks they hold. */
  gateways: CleanupGateway[];
  /** Short-lived helpers that outlived their run (optional: plans made before they were listed). */
  helpers?: CleanupHelper[];
  networks: CleanupNetwork[];
  images: CleanupImage[];
  volumes: CleanupVolume[];
  /** Expired review workspaces left alone: their changes were neither applied nor discarded. */
  kept?: { id: string; name: string; unapplied: number }[];
}

export interface CleanupResult {
  /** Human-readable names of what was removed. */
  removed: string[];
  /** Already gone when we got there (removed by someone else meanwhile). */
  gone: string[];
  failed: { item: string; message: string }[];
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "12h", "30m", "45s", "2w", "0" → milliseconds. */
export function parseDuration(text: string, field = 'maxAge'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!match) throw new InputError(field, `"${text}" is not a duration; use a number with a unit, e.g. 7d, 12h or 30m.`);
  const value = Number(match[1]);
  const unit = match[2];
  if (!unit && value !== 0) throw new InputError(field, `"${text}" has no unit; use e.g. 7d, 12h or 30m.`);
  return value * (units[unit ?? 'ms'] ?? 1);
}

/** Docker reports "0001-01-01T00:00:00Z" for a container that never finished. */
function finishedAtMs(finishedAt: string | undefined): number | undefined {
  const ms = finishedAt ? Date.parse(finishedAt) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * What a cleanup would remove, without removing anything. Every list is filtered by the
 * managed label on the engine side, so unlabelled resources never even reach this code.
 */
export async function planCleanup(connection: EngineConnection, options: CleanupOptions): Promise<CleanupPlan> {
  const now = options.now ?? Date.now();
  const cutoff = now - options.maxAgeMs;
  const scope = { labels: options.labels };

  // Every managed container, whatever its scope: a network is only an orphan when no container
  // of its workspace exists at all, including ones outside the label scope.
  const [scoped, allManaged, networks, gateways] = await Promise.all([
    listContainers(connection, scope, 'list managed containers'),
    listContainers(connection, {}, 'list managed containers'),
    listNetworks(connection, scope, 'list managed networks'),
    listContainers(connection, { ...scope, kind: 'gateway' }, 'list gateways'),
  ]);
  const networkByName = new Map(networks.map((network) => [network.Name, network]));
  const gatewayOf = new Map(gateways.map((row) => [row.Labels?.[gatewayLabels.of] ?? '', row]));

  const workspaces: CleanupWorkspace[] = [];
  for (const row of scoped) {
    const id = row.Labels?.[labels.id];
    if (!id || (row.State !== 'exited' && row.State !== 'dead')) continue;
    const inspected = await inspectContainer(connection, row.Id).catch((err: unknown) => {
      if (err instanceof EngineError && err.kind === 'notFound') return undefined;
      throw err;
    });
    const finished = finishedAtMs(inspected?.State.FinishedAt);
    if (!inspected || finished === undefined || finished > cutoff || inspected.State.Running) continue;
    const networkName = networkNameFor(id);
    workspaces.push({
      id,
      name: row.Labels[labels.name] ?? id,
      containerId: row.Id,
      containerName: (row.Names[0] ?? '').replace(/^\//, ''),
      network: networkByName.has(networkName) ? networkName : undefined,
      gateway: gatewayOf.has(id) ? gatewayNameFor(id) : undefined,
      egressNetwork: networkByName.has(egressNetworkNameFor(id)) ? egressNetworkNameFor(id) : undefined,
      finishedAt: new Date(finished).toISOString(),
      folder: row.Labels[labels.folder] ?? '',
    });
  }

  const workspaceIds = new Set(allManaged.map((row) => row.Labels?.[labels.id]).filter((id): id is string => !!id));
  const settledBefore = now - (options.orphanGraceMs ?? defaultOrphanGraceMs);
  // A create makes the gateway before its workspace: a young one is not an orphan yet.
  const orphanGateways: CleanupGateway[] = gateways
    .filter((row) => !workspaceIds.has(row.Labels?.[gatewayLabels.of] ?? '') && row.Created * 1000 <= settledBefore)
    .map((row) => ({ id: row.Id, name: (row.Names[0] ?? row.Id).replace(/^\//, ''), workspaceId: row.Labels?.[gatewayLabels.of] ?? '' }));
  const helpers = await leftoverHelpers(connection, options.labels, workspaceIds, options.orphanGraceMs ?? defaultOrphanGraceMs);
  const orphans: CleanupNetwork[] = networks
    .filter((network) => {
      const id = network.Labels?.[labels.id];
      const created = Date.parse(network.Created ?? '');
      const settled = Number.isFinite(created) && created <= Date.now() - (options.orphanGraceMs ?? defaultOrphanGraceMs);
      // A managed network without a workspace id is not ours to judge.
      return id !== undefined && !workspaceIds.has(id) && settled;
    })
    .map((network) => ({ id: network.Id, name: network.Name, workspaceId: network.Labels?.[labels.id] ?? '' }));

  const { removable, kept } = await withoutUnapplied(connection, scoped, workspaces, options.includeUnapplied === true);
  const [images, volumes] = await Promise.all([
    listImages(connection, { ...scope, dangling: true }, 'list dangling managed images'),
    listVolumes(connection, { ...scope, dangling: true }, 'list unused managed volumes'),
  ]);
  return {
    workspaces: removable,
    kept,
    gateways: orphanGateways,
    helpers,
    networks: orphans,
    images: images.map((image) => ({ id: image.Id, size: image.Size })),
    volumes: volumes.map((volume) => ({ name: volume.Name })),
  };
}

/** Splits off the review workspaces with changes nobody applied or discarded: a cleanup would lose them. */
async function withoutUnapplied(
  connection: EngineConnection,
  rows: ContainerInfo[],
  candidates: CleanupWorkspace[],
  includeUnapplied: boolean,
): Promise<{ removable: CleanupWorkspace[]; kept: NonNullable<CleanupPlan['kept']> }> {
  const changes = new WorkspaceChanges(
    async () => connection,
    () => [],
  );
  const removable: CleanupWorkspace[] = [];
  const kept: NonNullable<CleanupPlan['kept']> = [];
  for (const candidate of candidates) {
    const workspace = workspaceFromSummary(rows.find((row) => row.Id === candidate.containerId) as ContainerInfo);
    // Changes that cannot be read are kept too: a cleanup must not be the way they get lost.
    const unapplied =
      !includeUnapplied && workspace && inReview(workspace)
        ? await changes.list(workspace).then(
            (list) => list.length,
            () => Infinity,
          )
        : 0;
    if (unapplied > 0) kept.push({ id: candidate.id, name: candidate.name, unapplied });
    else removable.push(candidate);
  }
  return { removable, kept };
}

/** What a cleanup left alone and why, one line each. */
export function describeKept(plan: CleanupPlan): string[] {
  return (plan.kept ?? []).map(
    (ws) =>
      `kept workspace ${ws.name} (${ws.id}): ${Number.isFinite(ws.unapplied) ? ws.unapplied : 'unreadable'} unapplied change(s); apply or discard them first, or clean up including unapplied changes`,
  );
}

export function isEmptyPlan(plan: CleanupPlan): boolean {
  return plan.workspaces.length + plan.gateways.length + (plan.helpers?.length ?? 0) + plan.networks.length + plan.images.length + plan.volumes.length === 0;
}

/** One line per item, for the dry-run list (CLI output, the palette's confirm). */
export function describeCleanupPlan(plan: CleanupPlan): string[] {
  return [
    ...plan.workspaces.map((ws) => {
      const parts = [
        `container ${ws.containerName}`,
        ws.gateway && `gateway ${ws.gateway}`,
        ws.network && `network ${ws.network}`,
        ws.egressNetwork && `network ${ws.egressNetwork}`,
      ].filter((part): part is string => !!part);
      const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
      return `workspace ${ws.name} (${ws.id}): ${listed}, exited ${ws.finishedAt}; folder ${ws.folder || '-'} kept`;
    }),
    ...plan.gateways.map((gateway) => `orphaned gateway ${gateway.name}`),
    ...(plan.helpers ?? []).map(describeHelper),
    ...plan.networks.map((network) => `orphaned network ${network.name}`),
    ...plan.images.map((image) => `dangling image ${shortImageId(image.id)} (${formatBytes(image.size)})`),
    ...plan.volumes.map((volume) => `unused volume ${volume.name}`),
  ];
}

/** Removes exactly what the plan lists; something already gone counts as done, not as a failure. */
export async function applyCleanup(connection: EngineConnection, plan: CleanupPlan): Promise<CleanupResult> {
  const result: CleanupResult = { removed: [], gone: [], failed: [] };
  /** Whether the item is gone now (removed, or already gone). */
  const attempt = async (item: string, remove: (what: string) => Promise<unknown>): Promise<boolean> => {
    try {
      await remove(`cleanup ${item}`);
      result.removed.push(item);
      return true;
    } catch (err) {
      const mapped = err instanceof EngineError ? err : toEngineError(err, connection.host);
      if (mapped.kind === 'notFound') result.gone.push(item);
      else result.failed.push({ item, message: mapped.message });
      return mapped.kind === 'notFound';
    }
  };
  for (const ws of plan.workspaces) {
    // Only the container and its anonymous volumes: the project folder is a bind mount. No
    // force: a workspace restarted since the plan was made is refused (409), not killed, and
    // then keeps its gateway, networks and storage (it is using them).
    if (!(await attempt(`container ${ws.containerName}`, (what) => removeContainer(connection, ws.containerId, { v: true }, what)))) continue;
    // The gateway runs on while its workspace is stopped; it holds both networks.
    if (ws.gateway) {
      const gateway = ws.gateway;
      await attempt(`gateway ${gateway}`, (what) => removeContainer(connection, gateway, { force: true }, what));
    }
    for (const network of [ws.network, ws.egressNetwork].filter((name): name is string => !!name)) {
      await attempt(`network ${network}`, (what) => removeNetwork(connection, network, what));
    }
    // Its view or copy of the project (review and copy modes); the folder itself stays.
    const storage = await removeStorageParts(connection, ws.id);
    result.removed.push(...storage.removed);
    result.failed.push(...storage.failed);
  }
  for (const gateway of plan.gateways) await attempt(`gateway ${gateway.name}`, (what) => removeContainer(connection, gateway.id, { force: true }, what));
  for (const helper of plan.helpers ?? []) await attempt(`helper ${helper.name}`, (what) => removeContainer(connection, helper.id, { force: true }, what));
  for (const network of plan.networks) await attempt(`network ${network.name}`, (what) => removeNetwork(connection, network.id, what));
  for (const image of plan.images) await attempt(`image ${shortImageId(image.id)}`, (what) => removeImage(connection, image.id, what));
  for (const volume of plan.volumes) await attempt(`volume ${volume.name}`, (what) => removeVolume(connection, volume.name, what));
  return result;
}
