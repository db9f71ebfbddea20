import { badHostError } from './errors';

/** A Docker host string, parsed and checked. */
export type HostSpec =
  | { scheme: 'unix'; socketPath: string }
  | { scheme: 'npipe'; pipePath: string }
  | { scheme: 'tcp'; host: string; port: number }
  /** portGiven: the string named the port (it then wins over ~/.ssh/config's Port). */
  | { scheme: 'ssh'; host: string; port: number; portGiven: boolean; username?: string };

export const defaultUnixSocket = '/var/run/docker.sock';
export const defaultWindowsPipe = '//./pipe/docker_engine';

function parsePort(raw: string, fallback: number, host: string): number {
  if (raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badHostError(host, `port "${raw}" is not between 1 and 65535`);
  return port;
}

/** URL() rejects bad ports with a vague "invalid URL"; check the port first to say why. */
function checkPortText(rest: string, raw: string): void {
  const authority = rest.slice(rest.lastIndexOf('@') + 1);
  const port = /:([^:\]/]*)\/?$/.exec(authority)?.[1];
  if (port !== undefined && port !== '') parsePort(port, 0, raw);
}

function parseUrl(host: string): URL {
  try {
    return new URL(host);
  } catch {
    throw badHostError(host, 'it is not a valid URL');
  }
}

/**
 * Parses `unix://`, `npipe://`, `tcp://` and `ssh://` hosts the way the docker CLI accepts them.
 * `tls` only changes the default tcp port (2376 instead of 2375), as the CLI does.
 */
export function parseDockerHost(raw: string, tls = false): HostSpec {
  const host = raw.trim();
  if (host === '') throw badHostError(raw, 'it is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host)?.[1]?.toLowerCase();
  if (!scheme) {
    const hint = /^[\w.-]+:\d+$/.test(host) ? ` (did you mean tcp://${host}?)` : '';
    throw badHostError(raw, `it has no scheme${hint}`);
  }
  const rest = host.slice(scheme.length + 3);
  switch (scheme) {
    case 'unix':
      if (!rest.startsWith('/')) throw badHostError(raw, 'a unix socket needs an absolute path, like unix:///var/run/docker.sock');
      return { scheme: 'unix', socketPath: rest };
    case 'npipe':
      if (rest === '') throw badHostError(raw, 'a named pipe needs a path, like npipe:////./pipe/docker_engine');
      return { scheme: 'npipe', pipePath: rest.replace(/\\/g, '/') };
    case 'tcp': {
      checkPortText(rest, raw);
      const url = parseUrl(`http://${rest}`);
      if (!url.hostname) throw badHostError(raw, 'it names no host');
      if (url.pathname !== '/' || url.search || url.username) throw badHostError(raw, 'a tcp host takes only host and port, like tcp://10.0.0.5:2376');
      return { scheme: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port: parsePort(url.port, tls ? 2376 : 2375, raw) };
    }
    case 'ssh': {
      checkPortText(rest, raw);
      const url = parseUrl(`ssh://${rest}`);
      if (!url.hostname) throw badHostError(raw, 'it names no host');
      if (url.pathname !== '' && url.pathname !== '/') throw badHostError(raw, 'an ssh host takes only user, host and port, like ssh://me@build-box:22');
      if (url.password) throw badHostError(raw, 'passwords in the host string are not supported; use an ssh key or agent');
      const username = url.username ? decodeURIComponent(url.username) : undefined;
      return { scheme: 'ssh', host: url.hostname.replace(/^\[|\]$/g, ''), port: parsePort(url.port, 22, raw), portGiven: url.port !== '', username };
    }
    default:
      throw badHostError(raw, `the scheme "${scheme}://" is not supported`);
  }
}

/** The host written back as a string, for messages and the tree. */
export function formatHost(spec: HostSpec): string {
  switch (spec.scheme) {
    case 'unix':
      return `unix://${spec.socketPath}`;
    case 'npipe':
      return `npipe://${spec.pipePath}`;
    case 'tcp':
      return `tcp://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case 'ssh':
      return `ssh://${spec.username ? `${spec.username}@` : ''}${spec.host}:${spec.port}`;
  }
}
