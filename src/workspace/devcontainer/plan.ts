import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../../engine/errors';
import { DevcontainerConfig, expect, isCommand, isString, isStringMap, lifecycleArgv, LifecycleCommand } from './config';
import { WorkspaceAttach } from '../request';
import { checkEnvironment } from '../environment';

/**
 * What a devcontainer.json becomes in a workspace. Our isolation always wins: whatever would
 * weaken the level (privileged, added capabilities, security options, host mounts, host
 * namespaces or devices in runArgs) refuses the create, every such property named at once;
 * what we have no counterpart for is listed as not taken, so the create summary says what
 * happened to each property.
 */
export interface DevcontainerPlan {
  file: string;
  image?: string;
  build?: { context: string; dockerfile: string; args: Record<string, string>; target?: string };
  env: Record<string, string>;
  /** Host and box ports; the create's port rules pick another host port for a blocked one. */
  publish: { host: number; container: number }[];
  lifecycle: Partial<Record<LifecycleName, LifecycleCommand>>;
  features: string[];
  hostRequirements: { cpus?: number; memory?: string };
  /** remoteEnv and postAttachCommand: what each terminal gets. */
  attach: WorkspaceAttach;
  /** Runs on this machine, never in the box: VS Code asks first (trusted folders only); aicli-ws never runs it. */
  initializeCommand?: LifecycleCommand;
  /** "image", "containerEnv (2)"…: for the summary. */
  taken: string[];
  /** "remoteUser (the box runs as the folder's owner)"…: for the summary. */
  notTaken: string[];
}

export const lifecycleNames = ['onCreateCommand', 'postCreateCommand', 'postStartCommand'] as const;
export type LifecycleName = (typeof lifecycleNames)[number];

/** runArgs that would open the box up, and why. */
const weakeningArgs: [RegExp, string][] = [
  [/^--privileged$/, 'every capability and device of the host'],
  [/^--cap-add(=|$)/, 'a capability the level drops'],
  [/^--security-opt(=|$)/, 'a security option the level sets'],
  [/^(-v|--volume|--mount)(=|$)/, 'a host path in the box'],
  [/^--device(=|$)/, 'a host device in the box'],
  [/^--(network|net|pid|ipc|uts|userns|cgroupns)(=|$)/, 'a namespace of the host, or another network'],
  [/^--(group-add|user|-u)(=|$)/, 'another user or group in the box'],
];

function refusedRunArgs(args: string[]): string[] {
  const refused: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const hit = weakeningArgs.find(([pattern]) => pattern.test(arg));
    if (!hit) continue;
    const value = arg.includes('=') || /^--privileged$/.test(arg) ? '' : ` ${args[++i] ?? ''}`;
    refused.push(`runArgs ${arg}${value} (${hit[1]})`);
  }
  return refused;
}

function refusals(config: DevcontainerConfig): string[] {
  const refused: string[] = [];
  if (expect<boolean>(config, 'privileged', (v) => typeof v === 'boolean', 'true or false'))
    refused.push('privileged (every capability and device of the host)');
  const capAdd = expect<string[]>(config, 'capAdd', Array.isArray, 'an array of capability names') ?? [];
  if (capAdd.length) refused.push(`capAdd ${capAdd.join(', ')} (capabilities the level drops)`);
  const securityOpt = expect<string[]>(config, 'securityOpt', Array.isArray, 'an array of options') ?? [];
  if (securityOpt.length) refused.push(`securityOpt ${securityOpt.join(', ')} (the level sets its own)`);
  const mounts = expect<unknown[]>(config, 'mounts', Array.isArray, 'an array of mounts') ?? [];
  if (mounts.length)
    refused.push(`mounts ${mounts.map((mount) => (typeof mount === 'string' ? mount : JSON.stringify(mount))).join('; ')} (host paths in the box)`);
  refused.push(...refusedRunArgs(expect<string[]>(config, 'runArgs', (v) => Array.isArray(v) && v.every(isString), 'an array of strings') ?? []));
  return refused;
}

function buildOf(config: DevcontainerConfig): DevcontainerPlan['build'] {
  type Build = { dockerfile?: string; context?: string; args?: Record<string, string>; target?: string };
  const build = expect<Build>(config, 'build', (v) => !!v && typeof v === 'object' && !Array.isArray(v), 'an object ({ "dockerfile": … })') ?? {};
  const legacy = expect<string>(config, 'dockerFile', isString, 'a path');
  const dockerfile = build.dockerfile ?? legacy;
  if (!dockerfile) return undefined;
  if (build.args !== undefined && !isStringMap(build.args)) throw new InputError('devcontainer', `build.args in ${config.file} must be an object of strings.`);
  const context = resolve(config.dir, build.context ?? '.');
  const path = resolve(config.dir, dockerfile);
  if (!existsSync(path)) throw new InputError('devcontainer', `${config.file} builds from ${path}, which does not exist; fix build.dockerfile.`);
  const inContext = relative(context, path);
  if (inContext.startsWith('..') || isAbsolute(inContext))
    throw new InputError('devcontainer', `The Dockerfile ${path} is outside the build context ${context}; move it in or widen build.context.`);
  return { context, dockerfile: inContext, args: build.args ?? {}, target: build.target };
}

/** 3000, "3000" or "8080:3000" (host:box); undefined for anything else, e.g. "db:5432". */
function ownPort(port: unknown): { host: number; container: number } | undefined {
  if (typeof port === 'number') return Number.isInteger(port) ? { host: port, container: port } : undefined;
  const match = typeof port === 'string' ? /^(?:(\d+):)?(\d+)$/.exec(port) : null;
  return match ? { host: Number(match[1] ?? match[2]), container: Number(match[2]) } : undefined;
}

/** forwardPorts and appPort: the box's own ports (numbers, or "N" / "HOST:N"); another container's ("db:5432") is not taken. */
function portsOf(config: DevcontainerConfig, notTaken: string[]): { host: number; container: number }[] {
  const appPort = expect<unknown>(config, 'appPort', (v) => ['number', 'string'].includes(typeof v) || Array.isArray(v), 'a port or an array of ports');
  const ports = [...(expect<unknown[]>(config, 'forwardPorts', Array.isArray, 'an array of ports') ?? []), ...[appPort].flat().filter((v) => v !== undefined)];
  const publish: { host: number; container: number }[] = [];
  for (const port of ports) {
    const own = ownPort(port);
    if (own) publish.push(own);
    else notTaken.push(`port ${JSON.stringify(port)} (another container's port: only the workspace's own are published)`);
  }
  return publish;
}

const isEnvValues = (value: unknown): boolean =>
  !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string' || entry === null);

/**
 * remoteEnv (null unsets in the spec: here such a name is just not set) and postAttachCommand.
 * Values are taken as written: "${localEnv:…}" would copy this machine's environment into the
 * box, so nothing is substituted.
 */
function attachOf(config: DevcontainerConfig, taken: string[]): WorkspaceAttach {
  const remoteEnv = expect<Record<string, string | null>>(config, 'remoteEnv', isEnvValues, 'an object of strings') ?? {};
  const env = Object.fromEntries(Object.entries(remoteEnv).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  try {
    checkEnvironment(env);
  } catch (err) {
    throw new InputError('devcontainer', `remoteEnv in ${config.file}: ${(err as Error).message}`);
  }
  if (Object.keys(env).length) taken.push(`remoteEnv (${Object.keys(env).join(', ')}; in terminals)`);
  const postAttach = expect<LifecycleCommand>(config, 'postAttachCommand', isCommand, 'a command: a string, an array of strings, or an object of those');
  if (postAttach !== undefined) taken.push('postAttachCommand (in each terminal, before its shell)');
  return { env, commands: postAttach === undefined ? [] : lifecycleArgv(postAttach) };
}

export function planDevcontainer(config: DevcontainerConfig): DevcontainerPlan {
  const refused = refusals(config);
  if (refused.length) {
    throw new InputError(
      'devcontainer',
      `${config.file} asks for what would weaken the workspace's isolation, so nothing was created: ${refused.join('; ')}. Remove those properties, or create with --no-devcontainer.`,
    );
  }
  const taken: string[] = [];
  const notTaken: string[] = [];
  const image = expect<string>(config, 'image', isString, 'an image reference');
  const build = buildOf(config);
  if (image && build) throw new InputError('devcontainer', `${config.file} names both an image and a build; keep one.`);
  if (!image && !build && config.raw.dockerComposeFile !== undefined) {
    throw new InputError(
      'devcontainer',
      `${config.file} uses Docker Compose (dockerComposeFile), which workspaces do not run; use an image or a Dockerfile, or --no-devcontainer.`,
    );
  }
  if (image) taken.push(`image ${image}`);
  if (build)
    taken.push(
      `build ${join(relative(config.dir, build.context) || '.', build.dockerfile)}${Object.keys(build.args).length ? ` with args ${Object.keys(build.args).join(', ')}` : ''}`,
    );
  const env = expect<Record<string, string>>(config, 'containerEnv', isStringMap, 'an object of strings') ?? {};
  try {
    checkEnvironment(env);
  } catch (err) {
    throw new InputError('devcontainer', `containerEnv in ${config.file}: ${(err as Error).message}`);
  }
  if (Object.keys(env).length) taken.push(`containerEnv (${Object.keys(env).join(', ')})`);
  const publish = portsOf(config, notTaken);
  if (publish.length) taken.push(`ports ${publish.map((port) => port.container).join(', ')}`);
  const lifecycle: DevcontainerPlan['lifecycle'] = {};
  for (const name of lifecycleNames) {
    const command = expect<LifecycleCommand>(config, name, isCommand, 'a command: a string, an array of strings, or an object of those');
    if (command !== undefined) {
      lifecycle[name] = command;
      taken.push(name);
    }
  }
  const attach = attachOf(config, taken);
  // Every workspace runs an init (Init: true) as PID 1's parent: `init: true` asks for what it gets anyway.
  const init = expect<boolean>(config, 'init', (v) => typeof v === 'boolean', 'true or false');
  if (init === true) taken.push('init (every workspace has one)');
  if (init === false) notTaken.push('init false (every workspace runs an init, which reaps its processes)');
  const initializeCommand = expect<LifecycleCommand>(config, 'initializeCommand', isCommand, 'a command: a string, an array of strings, or an object of those');
  for (const [property, why] of [
    ['remoteUser', "the box runs as the folder's owner, so files keep their owner"],
    ['containerUser', "the box runs as the folder's owner, so files keep their owner"],
    ['workspaceFolder', 'the project is at /workspace'],
    ['workspaceMount', 'the project mount mode decides (aicli.workspace.projectMount)'],
    ['initializeCommand', 'it would run on this machine; aicli-ws never runs it (run it yourself), VS Code asks first'],
    ['customizations', 'editor settings are not applied to the box'],
  ] as const) {
    if (config.raw[property] !== undefined) notTaken.push(`${property} (${why})`);
  }
  const features = Object.keys(
    expect<Record<string, unknown>>(config, 'features', (v) => !!v && typeof v === 'object' && !Array.isArray(v), 'an object of features') ?? {},
  );
  const requirements = expect<{ cpus?: number; memory?: string }>(config, 'hostRequirements', (v) => !!v && typeof v === 'object', 'an object') ?? {};
  return { file: config.file, image, build, env, publish, lifecycle, features, hostRequirements: requirements, attach, initializeCommand, taken, notTaken };
}
