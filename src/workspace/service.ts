import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { EngineConnection } from '../engine/connection';
import { FrameDemuxer } from '../engine/demux';
import { EngineError, toEngineError } from '../engine/errors';
import { InputError } from '../isolation/inputError';
import { SubnetPool } from '../isolation/subnets';
import { createWorkspaceResources, isRemoteEngine, projectVolumeFor, validateCreate } from './create';
import { egressNetworkNameFor, gatewayNameFor, startGateway } from './gateway';
import { imageHasHealthCheck, waitUntilHealthy } from './health';
import { labels, networkNameFor, onEngine, Workspace, workspaceFromSummary } from './model';
import { CreateStep, CreateWorkspaceRequest, WorkspacePolicy } from './request';

export interface CreateResult {
  workspace: Workspace;
  warnings: string[];
  notes: string[];
}

export interface CreateOptions {
  /**
   * Off by default. When set, create resolves only once the workspace is healthy (or running,
   * without a health check) and otherwise rejects with a HealthCheckError; the workspace is then
   * kept, so its logs and health-check output can be read.
   */
  waitUntilHealthy?: { timeoutMs: number; signal?: AbortSignal };
}

export type Lifecycle = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

/**
 * Wraps every state change of a container. On Docker 20.10 an exec that starts while its
 * container is being paused wedges the container in the engine, so the monitor (which runs
 * check execs) holds its execs back while a change is under way.
 */
export type WriteGuard = <T>(containerId: string, action: () => Promise<T>) => Promise<T>;
const unguarded: WriteGuard = (_containerId, action) => action();

/**
 * Workspaces on one engine: create … remove, list, inspect, one-shot exec. Knows nothing of
 * VS Code; the UI and the CLI both drive it.
 */
export class WorkspaceService {
  private readonly subnets = new SubnetPool();

  constructor(
    private readonly connection: () => Promise<EngineConnection>,
    private readonly policy: () => WorkspacePolicy,
    private readonly guard: WriteGuard = unguarded,
    /** Stamped on every workspace this service returns (several engines); undefined: the default. */
    readonly engineName?: string,
  ) {}

  async create(request: CreateWorkspaceRequest, onStep: (step: CreateStep) => void = () => {}, options: CreateOptions = {}): Promise<CreateResult> {
    const connection = await this.connection();
    onStep('validating');
    const validated = await validateCreate(connection, request, this.policy());
    const containerId = await createWorkspaceResources(connection, validated, this.subnets, onStep);
    const workspace = await this.byContainerId(connection, containerId);
    if (workspace.state === 'exited' || workspace.state === 'dead') {
      // Its command failed at once (e.g. not in the image); a dead workspace is no workspace.
      onStep('rollback');
      await this.remove(containerId);
      throw new InputError(
        'image',
        `The workspace's command exited right after start (${workspace.status}); check the image's command or choose another image.`,
      );
    }
    // Only the image's own health check says more than "running": ours (the folder is mounted)
    // is proven by the create itself, and its first run is 30 s away on engines without a start interval.
    if (options.waitUntilHealthy && imageHasHealthCheck(validated.imageConfig)) {
      onStep('health');
      await waitUntilHealthy(connection, containerId, options.waitUntilHealthy);
      return { workspace: await this.byContainerId(connection, containerId), warnings: validated.warnings, notes: validated.notes };
    }
    return { workspace, warnings: validated.warnings, notes: validated.notes };
  }

  /** Managed workspaces only; unmanaged containers never show up here. */
  async list(): Promise<Workspace[]> {
    const connection = await this.connection();
    const rows = await connection.call('list workspaces', (docker) =>
      docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${labels.managed}=true`] }) }),
    );
    return rows
      .map((row) => onEngine(workspaceFromSummary(row as Parameters<typeof workspaceFromSummary>[0]), this.engineName))
      .filter((ws): ws is Workspace => ws !== undefined);
  }

  private async byContainerId(connection: EngineConnection, containerId: string): Promise<Workspace> {
    const rows = await connection.call('list workspace', (docker) => docker.listContainers({ all: true, filters: JSON.stringify({ id: [containerId] }) }));
    const workspace = rows.map((row) => onEngine(workspaceFromSummary(row as Parameters<typeof workspaceFromSummary>[0]), this.engineName))[0];
    if (!workspace) throw new InputError('workspace', `Workspace container ${containerId.slice(0, 12)} is gone; it was removed outside VS Code.`);
    return workspace;
  }

  /** By id, name, container name or container id (prefix of at least 4). */
  async find(reference: string): Promise<Workspace> {
    const all = await this.list();
    const match =
      all.find((ws) => ws.id === reference || ws.name === reference || ws.containerName === reference) ??
      (reference.length >= 4 ? all.find((ws) => ws.containerId.startsWith(reference)) : undefined);
    if (!match) throw new InputError('workspace', `No workspace "${reference}" on this engine; run list to see the workspaces.`);
    return match;
  }

  async inspect(reference: string): Promise<Docker.ContainerInspectInfo> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    return connection.call('inspect', (docker) => docker.getContainer(workspace.containerId).inspect());
  }

  async lifecycle(reference: string, action: Lifecycle): Promise<Workspace> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    // Writes: stop and restart wait out the container's grace period on the engine side.
    const container = connection.untimed.getContainer(workspace.containerId);
    // The gateway normally never stops; started with the box in case someone stopped it
    // (without it the box has no network at all: it fails closed).
    const withGateway = (action: () => Promise<unknown>): Promise<unknown> => Promise.all([startGateway(connection, workspace.id), action()]);
    const run: Record<Lifecycle, () => Promise<unknown>> = {
      start: () => withGateway(() => container.start()),
      stop: () => container.stop(),
      restart: () => withGateway(() => container.restart()),
      pause: () => container.pause(),
      unpause: () => container.unpause(),
    };
    await this.guard(workspace.containerId, () => connection.call(`${action} ${workspace.name}`, run[action]));
    return this.find(workspace.containerId);
  }

  /** Container (with its anonymous volumes), gateway and networks. The bind-mounted folder is never touched. */
  async remove(reference: string): Promise<void> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    await this.guard(workspace.containerId, () =>
      connection.call(`remove ${workspace.name}`, () => connection.untimed.getContainer(workspace.containerId).remove({ force: true, v: true })),
    );
    const ignoreGone = (err: unknown): void => {
      if (!(err instanceof EngineError && err.kind === 'notFound')) throw err;
    };
    await connection
      .call(`remove gateway of ${workspace.name}`, () => connection.untimed.getContainer(gatewayNameFor(workspace.id)).remove({ force: true }))
      .catch(ignoreGone);
    for (const network of [networkNameFor(workspace.id), egressNetworkNameFor(workspace.id)]) {
      await connection.call(`remove network ${network}`, (docker) => docker.getNetwork(network).remove()).catch(ignoreGone);
    }
    // On a remote engine the project copy lives in a volume of its own; the local folder is never touched.
    if (isRemoteEngine(connection)) {
      await connection.call(`remove volume of ${workspace.name}`, (docker) => docker.getVolume(projectVolumeFor(workspace.id)).remove()).catch(ignoreGone);
    }
  }

  /** One-shot command: stdout and stderr kept apart, exit code from exec inspect. */
  async exec(reference: string, command: string[], output: { stdout: Writable; stderr: Writable }, signal?: AbortSignal): Promise<number> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    try {
      const exec = await connection.docker.getContainer(workspace.containerId).exec({
        Cmd: command,
        AttachStdout: true,
        AttachStderr: true,
        WorkingDir: '/workspace',
      });
      const stream = await connection.untimed.getExec(exec.id).start({ hijack: true, stdin: false });
      const demuxer = new FrameDemuxer((kind, payload) => (kind === 'stderr' ? output.stderr : output.stdout).write(payload));
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          stream.destroy();
          reject(new InputError('command', 'Cancelled.'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
        stream.once('end', resolve);
        stream.once('close', resolve);
        stream.once('error', reject);
      });
      const result = await exec.inspect();
      return result.ExitCode ?? -1;
    } catch (err) {
      throw err instanceof InputError ? err : toEngineError(err, connection.host);
    }
  }
}
