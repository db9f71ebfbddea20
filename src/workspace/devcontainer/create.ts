import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { formatBytes } from '../../engine/bytes';
import { EngineConnection } from '../../engine/connection';
import { InputError } from '../../engine/errors';
import { PrefixedLineWriter } from '../../engine/outputLines';
import { PortPolicy, suggestHostPort } from '../../isolation/ports';
import { parseSize } from '../../isolation/resources';
import { buildImage } from '../build';
import { CreateWorkspaceRequest } from '../request';
import { lifecycleArgv } from './config';
import { DevcontainerPlan, lifecycleNames } from './plan';

/** The checks a plan needs of the engine before anything is made: features (not fetched offline) and hostRequirements. */
async function checkPlan(connection: EngineConnection, plan: DevcontainerPlan, skipFeatures: boolean): Promise<void> {
  if (plan.features.length && !skipFeatures) {
    throw new InputError(
      'devcontainer',
      `${plan.file} asks for dev container features (${plan.features.join(', ')}), which are fetched from registries and not installed here. Create with --skip-features to go on without them, or build them into the image.`,
    );
  }
  const info = await connection.info();
  const { cpus, memory } = plan.hostRequirements;
  if (typeof cpus === 'number' && info.NCPU !== undefined && cpus > info.NCPU) {
    throw new InputError('devcontainer', `${plan.file} needs ${cpus} CPUs (hostRequirements.cpus); the engine at ${connection.host} has ${info.NCPU}.`);
  }
  const bytes = typeof memory === 'string' ? parseSize(memory, 'hostRequirements.memory') : undefined;
  if (bytes && info.MemTotal !== undefined && bytes > info.MemTotal) {
    throw new InputError(
      'devcontainer',
      `${plan.file} needs ${formatBytes(bytes)} of memory (hostRequirements.memory); the engine at ${connection.host} has ${formatBytes(info.MemTotal)}.`,
    );
  }
}

/** The tag a folder's dev container build gets: one per folder, rebuilt on each create (the engine's cache makes that quick). */
export function devcontainerTag(folder: string): string {
  return `aicli-devcontainer-${createHash('sha256').update(folder).digest('hex').slice(0, 12)}:latest`;
}

/**
 * The create request a plan makes: its image (built first when it has a Dockerfile), its
 * environment and ports added to what the request already says (the request's own image and
 * ports win). Nothing is made when a check fails; a failed build leaves no image.
 */
export async function devcontainerRequest(
  connection: EngineConnection,
  request: CreateWorkspaceRequest,
  plan: DevcontainerPlan,
  options: { ports: PortPolicy; skipFeatures?: boolean; onBuildOutput?: (line: string) => void; signal?: AbortSignal },
): Promise<CreateWorkspaceRequest> {
  await checkPlan(connection, plan, options.skipFeatures === true);
  let image = plan.image;
  if (plan.build && !request.image) {
    const { context, dockerfile, args, target } = plan.build;
    const built = await buildImage(
      connection,
      { context, dockerfile, tag: devcontainerTag(request.folder), buildargs: args, target, signal: options.signal },
      options.onBuildOutput,
    );
    image = built.tag;
  }
  const publish = plan.publish.map(({ host, container }) => {
    if (!options.ports.blockedPorts.includes(host)) return `${host}:${container}`;
    const instead = suggestHostPort(host, options.ports);
    plan.taken.push(`port ${container} on host port ${instead} (${host} is in aicli.network.blockedPorts)`);
    return `${instead}:${container}`;
  });
  return {
    ...request,
    image: request.image ?? image,
    env: { ...plan.env, ...request.env },
    publish: [...publish, ...(request.publish ?? [])],
    attach: request.attach ?? plan.attach,
  };
}

/** What the create summary says about the configuration. */
export function devcontainerSummary(plan: DevcontainerPlan, folder: string): string[] {
  const where = plan.file.startsWith(folder) ? plan.file.slice(folder.length + 1) : plan.file;
  return [
    `${where}: took ${plan.taken.join('; ') || 'nothing'}.`,
    ...(plan.notTaken.length ? [`${where}: not taken: ${plan.notTaken.join('; ')}.`] : []),
    ...(plan.features.length ? [`${where}: features not installed: ${plan.features.join(', ')}.`] : []),
  ];
}

export interface LifecycleFailure {
  name: string;
  code: number;
}

/**
 * Runs onCreateCommand, postCreateCommand and postStartCommand in the box, in that order, each
 * line of output to onLine; stops at the first that fails and says which (the workspace stays).
 */
export async function runLifecycleCommands(
  exec: (command: string[], output: { stdout: Writable; stderr: Writable }) => Promise<number>,
  plan: DevcontainerPlan,
  onLine: (line: string) => void,
): Promise<LifecycleFailure | undefined> {
  for (const name of lifecycleNames) {
    const command = plan.lifecycle[name];
    if (command === undefined) continue;
    for (const argv of lifecycleArgv(command)) {
      onLine(`${name}: ${argv.join(' ')}`);
      const output = { stdout: new PrefixedLineWriter(`${name}| `, onLine), stderr: new PrefixedLineWriter(`${name}| `, onLine) };
      const code = await exec(argv, output);
      output.stdout.flush();
      output.stderr.flush();
      if (code !== 0) return { name, code };
    }
  }
  return undefined;
}
