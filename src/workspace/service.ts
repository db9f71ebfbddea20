import { Writable } from 'node:stream';
import { AuditSink, AuditValues, auditWorkspace } from '../audit/sink';
import { EngineConnection } from '../engine/connection';
import * as containers from '../engine/containers';
import { FrameDemuxer } from '../engine/demux';
import { CancelledError, EngineError, InputError, toEngineError } from '../engine/errors';
import { watchContainerEnd } from '../engine/events';
import { createExec, inspectExec, startExec } from '../engine/execs';
import { removeNetwork } from '../engine/networks';
import type { ContainerInspectInfo } from '../engine/types';
import { SubnetPool } from '../isolation/subnets';
import { createWorkspaceResources, validateCreate } from './create';
import { removeStorageParts } from './review/parts';
import { egressNetworkNameFor, gatewayNameFor, startGateway } from './gateway';
import { imageHasHealthCheck, waitUntilHealthy } from './health';
import { labels, networkNameFor, onEngine, Workspace, workspaceFromSummary } from './model';
import { gvisorRuntime } from '../isolation/runtime';
import { PortPolicy } from '../isolation/ports';
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
    /** Where create … remove and every exec are recorded (the scope's, bound to this engine). */
    private readonly audit: AuditSink = AuditSink.none,
  ) {}

  /** Recorded (workspace.create) with what was asked and, when made, the workspace. */
  create(request: CreateWorkspaceRequest, onStep: (step: CreateStep) => void = () => {}, options: CreateOptions = {}): Promise<CreateResult> {
    const { folder, image, level, mount, egress, allow, resources, publish } = request;
    return this.audit.action(
      'workspace.create',
      request.name ? { name: request.name } : undefined,
      { folder, image, level, mount, egress, allow, resources, publish },
      () => this.createUnrecorded(request, onStep, options),
      ({ workspace }) => ({ workspace: auditWorkspace(workspace), image: workspace.image, level: workspace.level, state: workspace.state }),
    );
  }

  private async createUnrecorded(request: CreateWorkspaceRequest, onStep: (step: CreateStep) => void, options: CreateOptions): Promise<CreateResult> {
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
    const rows = await containers.listContainers(connection, {}, 'list workspaces');
    return rows
      .map((row) => onEngine(workspaceFromSummary(row as Parameters<typeof workspaceFromSummary>[0]), this.engineName))
      .filter((ws): ws is Workspace => ws !== undefined);
  }

  private async byContainerId(connection: EngineConnection, containerId: string): Promise<Workspace> {
    const rows = await containers.listContainers(connection, { kind: 'any', ids: [containerId] }, 'list workspace');
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

  async inspect(reference: string): Promise<ContainerInspectInfo> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    return containers.inspectContainer(connection, workspace.containerId, 'inspect');
  }

  /**
   * `because`: why, when no one clicked it (the lifetimes' stops: reason, limitMs, idleForMs …),
   * recorded with the action.
   */
  async lifecycle(reference: string, action: Lifecycle, because: AuditValues = {}): Promise<Workspace> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    // Writes (untimed): stop and restart wait out the container's grace period on the engine side.
    const id = workspace.containerId;
    const what = `${action} ${workspace.name}`;
    // The gateway normally never stops; started before the box in case someone stopped it
    // (without it the box has no network at all: it fails closed; on Podman the box's network
    // namespace is the gateway's, so the box cannot start before it).
    const withGateway = async (action: () => Promise<unknown>): Promise<unknown> => {
      await startGateway(connection, workspace.id);
      return action();
    };
    const run: Record<Lifecycle, () => Promise<unknown>> = {
      start: () => withGateway(() => containers.startContainer(connection, id, {}, what)),
      stop: () => containers.stopContainer(connection, id, {}, what),
      restart: () => withGateway(() => containers.restartContainer(connection, id, {}, what)),
      pause: () => containers.pauseContainer(connection, id, what),
      unpause: () => containers.unpauseContainer(connection, id, what),
    };
    const change = async (): Promise<Workspace> => {
      await this.guard(workspace.containerId, run[action]);
      return this.find(workspace.containerId);
    };
    return this.audit.action(`workspace.${action}`, auditWorkspace(workspace), because, change, (after) => ({ state: after.state }));
  }

  /** Container (with its anonymous volumes), gateway and networks. The bind-mounted folder is never touched. */
  async remove(reference: string): Promise<void> {
    const workspace = await this.find(reference);
    return this.audit.action('workspace.remove', auditWorkspace(workspace), {}, () => this.removeFound(workspace));
  }

  private async removeFound(workspace: Workspace): Promise<void> {
    const connection = await this.connection();
    await this.guard(workspace.containerId, () =>
      containers.removeContainer(connection, workspace.containerId, { force: true, v: true }, `remove ${workspace.name}`),
    );
    const ignoreGone = (err: unknown): void => {
      if (!(err instanceof EngineError && err.kind === 'notFound')) throw err;
    };
    await containers.removeContainer(connection, gatewayNameFor(workspace.id), { force: true }, `remove gateway of ${workspace.name}`).catch(ignoreGone);
    for (const network of [networkNameFor(workspace.id), egressNetworkNameFor(workspace.id)]) {
      await removeNetwork(connection, network).catch(ignoreGone);
    }
    // Its view or copy of the project lives in volumes of its own; the folder itself is never touched.
    const storage = await removeStorageParts(connection, workspace.id);
    const failed = storage.failed[0];
    if (failed)
      throw new EngineError('engine', `Could not remove ${failed.item} of ${workspace.name}: ${failed.message}`, 'Run Clean Up, or remove it with docker.', []);
  }

  /** One-shot command: stdout and stderr kept apart, exit code from exec inspect. */
  /** The host-port rules creates apply (aicli.network.blockedPorts, publishAddress). */
  get portPolicy(): PortPolicy {
    return this.policy().ports;
  }

  async exec(reference: string, command: string[], output: { stdout: Writable; stderr: Writable }, signal?: AbortSignal): Promise<number> {
    const workspace = await this.find(reference);
    const connection = await this.connection();
    const session = this.audit.session('exec', auditWorkspace(workspace), { command });
    // A gVisor box that dies leaves its execs' streams open (events.ts: watchContainerEnd).
    const end =
      workspace.labels[labels.runtime] === gvisorRuntime ? await watchContainerEnd(connection, workspace.containerId).catch(() => undefined) : undefined;
    try {
      const exec = await createExec(connection, workspace.containerId, {
        Cmd: command,
        AttachStdout: true,
        AttachStderr: true,
        WorkingDir: '/workspace',
      });
      const stream = await startExec(connection, exec, { stdin: false });
      const demuxer = new FrameDemuxer((kind, payload) => (kind === 'stderr' ? output.stderr : output.stdout).write(payload));
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          stream.destroy();
          reject(new CancelledError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
        stream.once('end', resolve);
        stream.once('close', resolve);
        stream.once('error', reject);
        void end?.ended.then((action) => {
          stream.destroy();
          reject(
            new EngineError(
              'engine',
              `${workspace.name} stopped while the command ran (the engine reported "${action}"); on gVisor a box whose processes go over its memory or process limit stops as a whole.`,
              'Start the workspace again; raise aicli.resources.memory or pidsLimit if the command needs more.',
            ),
          );
        });
      });
      const result = await inspectExec(connection, exec);
      session.end({ exitCode: result.ExitCode ?? -1 });
      return result.ExitCode ?? -1;
    } catch (err) {
      session.end({ error: err });
      throw err instanceof InputError ? err : toEngineError(err, connection.host);
    } finally {
      end?.dispose();
    }
  }
}
