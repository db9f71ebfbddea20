import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { EngineConnection } from './connection';
import { filtersParameter, labelFilter, ManagedKind } from './filters';
import type { ContainerCreateOptions, ContainerInfo, ContainerInspectInfo } from './types';

/**
 * Containers, by id or name. Reads run on the timed client; writes whose duration the engine
 * decides (create under load, stop's grace period, a forced remove) on the untimed one; streams
 * (logs, stats) are opened untimed and come back as they are, errors unmapped, so a caller can
 * still tell a 404 from a dropped connection.
 */

export interface ContainerQuery {
  /** Default `workspace` (aicli.managed=true); `any` lists every container on the engine. */
  kind?: ManagedKind;
  /** Labels every listed container must also carry. */
  labels?: Record<string, string>;
  /** Only these containers; an empty list lists none. */
  ids?: string[];
  /** Only running containers; by default every state (created, paused, exited…). */
  running?: boolean;
}

/** The list request for a query: the managed filter, narrowed by labels, ids and state. */
export function containerListOptions(query: ContainerQuery = {}): Docker.ContainerListOptions {
  const filters = filtersParameter({
    label: labelFilter(query.kind, query.labels),
    id: query.ids,
    status: query.running ? ['running'] : undefined,
  });
  return { ...(query.running ? {} : { all: true }), ...(filters ? { filters } : {}) };
}

export async function listContainers(connection: EngineConnection, query: ContainerQuery = {}, what = 'list containers'): Promise<ContainerInfo[]> {
  if (query.ids?.length === 0) return [];
  return connection.call(what, (docker) => docker.listContainers(containerListOptions(query)));
}

const short = (ref: string): string => (/^[0-9a-f]{64}$/.test(ref) ? ref.slice(0, 12) : ref);

export function inspectContainer(connection: EngineConnection, ref: string, what = `inspect ${short(ref)}`): Promise<ContainerInspectInfo> {
  return connection.call(what, (docker) => docker.getContainer(ref).inspect());
}

/** Inspect with the engine's count of the container's files: SizeRw (its writable layer) and SizeRootFs (with the image). */
export function inspectContainerWithSize(connection: EngineConnection, ref: string): Promise<ContainerInspectInfo & { SizeRw?: number; SizeRootFs?: number }> {
  // dockerode sends the options as the query (?size=true); its types know only abortSignal.
  const query = { size: true } as Docker.ContainerInspectOptions;
  return connection.call(`inspect ${short(ref)} with its size`, (docker) => docker.getContainer(ref).inspect(query));
}

/** Creates (does not start) a container; resolves to its id. */
export async function createContainer(
  connection: EngineConnection,
  options: ContainerCreateOptions,
  what = `create ${options.name ?? 'container'}`,
): Promise<string> {
  const container = await connection.call(what, (docker) => docker.createContainer(options), { untimed: true });
  return container.id;
}

/**
 * `ifStopped`: a container already running is no error (the engine answers 304, which dockerode
 * throws); otherwise starting a running container fails the way the engine says.
 */
export async function startContainer(
  connection: EngineConnection,
  ref: string,
  options: { ifStopped?: boolean } = {},
  what = `start ${short(ref)}`,
): Promise<void> {
  const alreadyRunning = (err: unknown): boolean => options.ifStopped === true && (err as { statusCode?: number }).statusCode === 304;
  await connection.call(
    what,
    (docker) =>
      docker
        .getContainer(ref)
        .start()
        .catch((err: unknown) => {
          if (!alreadyRunning(err)) throw err;
        }),
    { untimed: true },
  );
}

/** `t`: seconds the engine waits for the stop signal to work before it kills (default: the container's). */
export async function stopContainer(connection: EngineConnection, ref: string, options: { t?: number } = {}, what = `stop ${short(ref)}`): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).stop(options), { untimed: true });
}

export async function restartContainer(connection: EngineConnection, ref: string, options: { t?: number } = {}, what = `restart ${short(ref)}`): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).restart(options), { untimed: true });
}

export async function pauseContainer(connection: EngineConnection, ref: string, what = `pause ${short(ref)}`): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).pause(), { untimed: true });
}

export async function unpauseContainer(connection: EngineConnection, ref: string, what = `unpause ${short(ref)}`): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).unpause(), { untimed: true });
}

/** `v`: its anonymous volumes too; `force`: kills a running one first. */
export async function removeContainer(
  connection: EngineConnection,
  ref: string,
  options: { force?: boolean; v?: boolean } = {},
  what = `remove ${short(ref)}`,
): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).remove(options), { untimed: true });
}

/** Live resource limits (POST /containers/{id}/update). */
export interface ContainerUpdate {
  Memory?: number;
  MemorySwap?: number;
  PidsLimit?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
}

export async function updateContainer(connection: EngineConnection, ref: string, update: ContainerUpdate, what = `update ${short(ref)}`): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).update(update), { untimed: true });
}

/** Unpacks a tar stream into the container's filesystem at `path`; works on a created, not yet started container. */
export async function putArchive(connection: EngineConnection, ref: string, tar: Readable, path: string, what = `copy into ${short(ref)}`): Promise<void> {
  await connection.call(what, (docker) => docker.getContainer(ref).putArchive(tar, { path }), { untimed: true });
}

/**
 * A tar stream of `path` in the container's filesystem (volumes included), read by the engine:
 * no process in the container takes part. Works on a created, never started container.
 */
export async function getArchive(connection: EngineConnection, ref: string, path: string, what = `copy out of ${short(ref)}`): Promise<Readable> {
  const stream = await connection.call(what, (docker) => docker.getContainer(ref).getArchive({ path }), { untimed: true });
  return stream as unknown as Readable;
}

/** Whether `path` exists in the container's filesystem (HEAD /containers/{id}/archive); a link is not followed. */
export async function pathExists(connection: EngineConnection, ref: string, path: string): Promise<boolean> {
  try {
    await connection.call(`stat ${path} in ${short(ref)}`, (docker) => docker.getContainer(ref).infoArchive({ path }), { expected: ['notFound'] });
    return true;
  } catch (err) {
    if ((err as { kind?: string }).kind === 'notFound') return false;
    throw err;
  }
}

/** Waits until the container exits; its exit code. */
export async function waitContainer(connection: EngineConnection, ref: string, what = `wait for ${short(ref)}`): Promise<number> {
  const result = (await connection.call(what, (docker) => docker.getContainer(ref).wait(), { untimed: true })) as { StatusCode: number };
  return result.StatusCode;
}

/** The whole log of an exited container (no TTY: multiplexed frames), as one buffer. */
export async function containerOutput(connection: EngineConnection, ref: string, what = `logs of ${short(ref)}`): Promise<Buffer> {
  const output = await connection.call(what, (docker) => docker.getContainer(ref).logs({ follow: false, stdout: true, stderr: true }));
  return output as unknown as Buffer;
}

/** The last `tail` lines of a container's log as the engine sends them (frames unless it has a TTY). */
export async function containerLogTail(connection: EngineConnection, ref: string, tail: number, what = `logs of ${short(ref)}`): Promise<Buffer> {
  const output = await connection.call(what, (docker) => docker.getContainer(ref).logs({ follow: false, stdout: true, stderr: true, tail }));
  return output as unknown as Buffer;
}

export interface LogStreamOptions {
  follow: true;
  stdout?: boolean;
  stderr?: boolean;
  timestamps?: boolean;
  tail?: number;
  /** Epoch seconds, or "seconds.nanoseconds" (the engine takes both; the types say number). */
  since?: number | string;
}

/** The container's log as the engine sends it (multiplexed frames unless the container has a TTY). */
export async function containerLogs(connection: EngineConnection, ref: string, options: LogStreamOptions): Promise<Readable> {
  const stream = await connection.untimed.getContainer(ref).logs(options as Docker.ContainerLogsOptions & { follow: true });
  return stream as unknown as Readable;
}

/** Newline-delimited JSON stats, one object a second, until the stream is destroyed. */
export async function containerStats(connection: EngineConnection, ref: string): Promise<Readable> {
  const stream = await connection.untimed.getContainer(ref).stats({ stream: true });
  return stream as unknown as Readable;
}
