import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './errors';

/**
 * Registry credentials read as the docker CLI reads them: $DOCKER_CONFIG/config.json (else
 * ~/.docker/config.json) with `auths` (base64 "user:password", or an identity token),
 * `credHelpers` (a helper per registry) and `credsStore` (one helper for all), a helper being
 * the program `docker-credential-<name>` spoken to on stdin/stdout. The engine never reads
 * that file itself: a pull or build through the API carries the credentials in its headers
 * (X-Registry-Auth, X-Registry-Config), so we send them, or the engine pulls anonymously.
 * Credentials are never logged; errors name the registry and the file, never a secret.
 */

/** As the engine's API takes them (X-Registry-Auth). */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface CredentialSource {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The docker CLI's key for Docker Hub; every other registry is keyed by its host[:port]. */
const dockerHub = 'https://index.docker.io/v1/';

/** The registry of an image reference: its first component when that names a host (a dot, a port or localhost), else Docker Hub. */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash < 0) return dockerHub;
  const first = reference.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : dockerHub;
}

/** Whether the engine's words say a registry wanted credentials it did not get or did not accept. */
export function isUnauthorized(text: string): boolean {
  return /unauthorized|authentication required|no basic auth credentials/i.test(text);
}

export function dockerConfigPath(source: CredentialSource = {}): string {
  const env = source.env ?? process.env;
  return join(env.DOCKER_CONFIG || join(source.home ?? homedir(), '.docker'), 'config.json');
}

function readDockerConfig(path: string): DockerConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // no file: no credentials, as with the docker CLI
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (err) {
    throw new InputError('registry', `${path} is not valid JSON (${(err as Error).message}); fix it or run docker login again.`);
  }
}

/** `docker-credential-<helper> get`: the registry on stdin, its exit code and output (not run in a shell). */
function runHelper(program: string, registry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a helper that exits before reading
    child.stdin.end(registry);
  });
}

/** Ask the helper for one registry; undefined when it has none. Async: a keychain may take a while to answer. */
async function fromHelper(helper: string, registry: string, path: string, env: NodeJS.ProcessEnv): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const result = await runHelper(program, registry, env);
  if (result.error) {
    throw new InputError(
      'registry',
      `${path} names the credential helper "${helper}", but ${program} cannot be run (${result.error.message}); install it or edit ${path}.`,
    );
  }
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    // The helper's output may hold a secret: only its exit code is told.
    throw new InputError('registry', `The credential helper ${program} failed for ${registry} (exit ${result.code}); run docker login ${registry} again.`);
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new InputError(
      'registry',
      `The credential helper ${program} answered for ${registry} with something that is not JSON; run docker login ${registry} again.`,
    );
  }
  if (answer.Username === '<token>') return { identitytoken: answer.Secret, serveraddress: registry };
  return { username: answer.Username, password: answer.Secret, serveraddress: registry };
}

function fromAuths(config: DockerConfig, registry: string): RegistryCredentials | undefined {
  const auths = config.auths ?? {};
  // `docker login` writes the host alone, older clients an URL of it.
  const entry = auths[registry] ?? auths[`https://${registry}`] ?? auths[`http://${registry}`];
  if (!entry) return undefined;
  if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress: registry };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: registry };
  }
  if (entry.username) return { username: entry.username, password: entry.password, serveraddress: registry };
  return undefined;
}

/** The credentials of one registry: its helper's, else its auths entry. */
async function lookUp(config: DockerConfig, registry: string, path: string, env: NodeJS.ProcessEnv): Promise<RegistryCredentials | undefined> {
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  return (helper ? await fromHelper(helper, registry, path, env) : undefined) ?? fromAuths(config, registry);
}

/** The credentials for the registry of `reference`, or undefined for an anonymous pull. */
export async function credentialsFor(reference: string, source: CredentialSource = {}): Promise<RegistryCredentials | undefined> {
  const path = dockerConfigPath(source);
  const config = readDockerConfig(path);
  return config ? lookUp(config, registryOf(reference), path, source.env ?? process.env) : undefined;
}

/** Every registry's credentials the config names (auths, credHelpers), for a build that may pull from any of them. */
export async function allCredentials(source: CredentialSource = {}): Promise<Record<string, RegistryCredentials>> {
  const path = dockerConfigPath(source);
  const config = readDockerConfig(path);
  if (!config) return {};
  const all: Record<string, RegistryCredentials> = {};
  for (const registry of new Set([...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})])) {
    const found = await lookUp(config, registry, path, source.env ?? process.env);
    if (found) all[registry] = found;
  }
  return all;
}
