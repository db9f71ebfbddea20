import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a Docker CLI context says about the engine endpoint. */
export interface DockerContextEndpoint {
  name: string;
  host: string;
  skipTlsVerify: boolean;
  /** Folder with ca.pem/cert.pem/key.pem when the context stores TLS material. */
  tlsDir?: string;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv, home: string): string {
  return env.DOCKER_CONFIG || join(home, '.docker');
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function findMetaFolder(metaRoot: string, name: string): string | undefined {
  // The CLI names the folder after the sha256 of the context name; scan as a fallback for
  // configs written by other tools.
  const hashed = createHash('sha256').update(name).digest('hex');
  if (existsSync(join(metaRoot, hashed, 'meta.json'))) return hashed;
  if (!existsSync(metaRoot)) return undefined;
  return readdirSync(metaRoot).find((dir) => (readJson(join(metaRoot, dir, 'meta.json')) as ContextMeta | undefined)?.Name === name);
}

/**
 * The endpoint of the current Docker context (DOCKER_CONTEXT, else `currentContext` in
 * config.json). Undefined for the built-in "default" context or when nothing is configured.
 */
export function currentDockerContext(env: NodeJS.ProcessEnv, home: string): DockerContextEndpoint | undefined {
  const configDir = dockerConfigDir(env, home);
  const config = readJson(join(configDir, 'config.json')) as { currentContext?: string } | undefined;
  const name = env.DOCKER_CONTEXT || config?.currentContext;
  if (!name || name === 'default') return undefined;
  const metaRoot = join(configDir, 'contexts', 'meta');
  const folder = findMetaFolder(metaRoot, name);
  const meta = folder ? (readJson(join(metaRoot, folder, 'meta.json')) as ContextMeta | undefined) : undefined;
  const host = meta?.Endpoints?.docker?.Host;
  if (!folder || !host) return undefined;
  const tlsDir = join(configDir, 'contexts', 'tls', folder, 'docker');
  return {
    name,
    host,
    skipTlsVerify: meta?.Endpoints?.docker?.SkipTLSVerify === true,
    tlsDir: existsSync(join(tlsDir, 'ca.pem')) || existsSync(join(tlsDir, 'cert.pem')) ? tlsDir : undefined,
  };
}
