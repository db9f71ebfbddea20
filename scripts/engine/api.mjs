// @ts-check
// Talking to an engine: GET /_ping, /version and image inspects over plain HTTP on a unix
// socket or tcp://, or through the docker CLI for every other kind of host.
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { isExecutable, which } from './util.mjs';

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/** @typedef {{ socketPath: string } | { host: string, port: number }} HttpTarget */

/**
 * Where to send plain HTTP for `host`: `unix:///p` (or `/p`) → { socketPath }, `tcp://h:p`
 * or `http://h:p` without TLS → { host, port }; null for anything else (ssh://, TLS,
 * npipe://, a malformed host), which callers hand to the docker CLI instead.
 *
 * This is deliberately not src/engine/host.ts (parseDockerHost): these scripts run before
 * the build (`node scripts/engine.mjs`, bench/, a fresh clone), when there is no compiled
 * out/ to import, and they need no validation: whatever this does not take, the docker
 * CLI judges. It is the only DOCKER_HOST parser in scripts/.
 * @param {string | undefined} host
 * @returns {HttpTarget | null}
 */
export function parseHost(host) {
  if (!host) return null;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const m = /^(?:tcp|http):\/\/\[?([^\]/]+?)\]?(?::(\d+))?\/?$/.exec(host);
  if (m && !process.env.DOCKER_TLS_VERIFY) return { host: m[1], port: Number(m[2] || 2375) };
  return null;
}

/**
 * One HTTP request to the engine API; resolves { status, body } or rejects.
 * @param {string} host
 * @param {{ method?: string, path: string, timeoutMs?: number }} req
 * @returns {Promise<{ status: number, body: string }>}
 */
export function request(host, { method = 'GET', path: urlPath, timeoutMs = 2000 }) {
  const target = parseHost(host);
  if (!target) return Promise.reject(new Error(`cannot speak HTTP to ${host}`));
  return new Promise((resolve, reject) => {
    let done = false;
    /** @type {(fn: () => void) => void} */
    const finish = (fn) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const req = http.request({ ...target, method, path: urlPath, agent: false, headers: { Host: 'docker' } }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })));
      res.on('error', (e) => finish(() => reject(e)));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(() => reject(new Error(`${method} ${urlPath} on ${host}: no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    req.on('error', (e) => finish(() => reject(e)));
    req.end();
  });
}

/** @returns {string | null} the docker CLI */
export function findDockerCli() {
  if (isExecutable('/usr/local/bin/docker')) return '/usr/local/bin/docker';
  return which('docker');
}

/** @param {string} host @returns {NodeJS.ProcessEnv} our environment pointed at `host` */
export function dockerEnv(host) {
  return { ...process.env, DOCKER_HOST: host };
}

/**
 * True if an engine answers GET /_ping at `host` within `timeoutMs`. Hosts that are not
 * unix:// or plain tcp:// (ssh://, TLS) are checked with `docker version` instead.
 * @param {string} host
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
export async function pingEngine(host, timeoutMs = 2000) {
  if (!parseHost(host)) {
    const docker = findDockerCli();
    if (!docker) return false;
    const r = spawnSync(docker, ['version', '--format', '{{.Server.APIVersion}}'], {
      env: dockerEnv(host),
      timeout: Math.max(timeoutMs, 10_000),
      encoding: 'utf8',
    });
    return r.status === 0 && r.stdout.trim() !== '';
  }
  try {
    const r = await request(host, { path: '/_ping', timeoutMs });
    return r.status === 200;
  } catch {
    return false;
  }
}

/**
 * @param {string} host
 * @returns {Promise<{ version: string, api: string, os: string, arch: string } | null>}
 */
export async function engineVersion(host) {
  try {
    const r = await request(host, { path: '/version', timeoutMs: 2000 });
    if (r.status !== 200) return null;
    const v = JSON.parse(r.body);
    return { version: v.Version, api: v.ApiVersion, os: v.Os, arch: v.Arch };
  } catch {
    return null;
  }
}

/** @typedef {{ id: string, size: number, labels: Record<string, string> }} ImageInfo */

/**
 * Inspects `image` on the engine at `host`: null if it is missing.
 * @param {string} host
 * @param {string} image
 * @returns {Promise<ImageInfo | null>}
 */
export async function inspectImage(host, image) {
  if (parseHost(host)) {
    const r = await request(host, { path: `/images/${image}/json`, timeoutMs: 10_000 });
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`inspecting ${image} failed: HTTP ${r.status} ${r.body}`);
    const j = JSON.parse(r.body);
    return { id: j.Id, size: j.Size, labels: j.Config?.Labels ?? {} };
  }
  const docker = findDockerCli();
  if (!docker) throw new Error(`cannot inspect ${image} on ${host}: the docker CLI is not installed`);
  const r = spawnSync(docker, ['image', 'inspect', '--format', '{{json .}}', image], { env: dockerEnv(host), encoding: 'utf8' });
  if (r.status !== 0) return null;
  const j = JSON.parse(r.stdout);
  return { id: j.Id, size: j.Size, labels: j.Config?.Labels ?? {} };
}
