import { readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { EngineError } from './errors';

/** What an ssh:// host string gave: the user and port only when it named them. */
export interface SshHostAsGiven {
  host: string;
  port?: number;
  username?: string;
}

/** Where and as whom to log in, after ~/.ssh/config. */
export interface SshDestination {
  /** What to connect to (the config's HostName, else the host as given). */
  hostName: string;
  port: number;
  username?: string;
  /** The config's IdentityFile entries, expanded, in its order. */
  identityFiles: string[];
  /** The config's UserKnownHostsFile entries, expanded. */
  knownHostsFiles: string[];
}

export const defaultSshConfigFile = (home: string): string => join(home, '.ssh', 'config');

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((entry) => entry.split(/\s+/)).filter(Boolean);
}

/** OpenSSH's tokens in file names (ssh_config(5) TOKENS) and a leading ~. */
function expandPath(path: string, tokens: Record<string, string>, home: string): string {
  const expanded = path.replace(/%([%hprud])/g, (_, token: string) => (token === '%' ? '%' : (tokens[token] ?? '')));
  return expanded === '~' ? home : expanded.startsWith('~/') ? join(home, expanded.slice(2)) : expanded;
}

/**
 * Applies the user's ssh config to an ssh:// engine host the way ssh does: values the host
 * string names win, then the first value the config gives for that host (aliases, HostName,
 * User, Port, IdentityFile, UserKnownHostsFile). `Match exec` is not run: reading a config must
 * not run commands. Include lines are expanded first (readSshConfig).
 * ProxyJump and ProxyCommand cannot be carried by the engine's ssh transport: refused clearly.
 */
export function applySshConfig(given: SshHostAsGiven, configText: string | undefined, home: string): SshDestination {
  const config = configText ? SSHConfig.parse(configText) : undefined;
  const computed = config ? config.compute(given.host, { ignoreCase: true, matchExec: false }) : {};
  const proxy = single(computed.proxyjump) ?? single(computed.proxycommand);
  if (proxy && proxy.toLowerCase() !== 'none') {
    throw new EngineError(
      'badHost',
      `~/.ssh/config sends ${given.host} through a proxy (${single(computed.proxyjump) ? 'ProxyJump' : 'ProxyCommand'} ${proxy}), which the engine's ssh transport cannot follow.`,
      `Open a tunnel to the engine's socket yourself (ssh -N -L /tmp/engine.sock:/var/run/docker.sock ${given.host}) and set the engine's host to unix:///tmp/engine.sock, or use a host reachable directly.`,
    );
  }
  // HostName's own %h is the host as given (an alias pattern's "%h.example.com").
  const hostName = (single(computed.hostname) ?? given.host).replace(/%h/g, given.host);
  const configPort = Number(single(computed.port));
  const port = given.port ?? (Number.isInteger(configPort) && configPort > 0 && configPort < 65536 ? configPort : 22);
  const username = given.username ?? single(computed.user);
  const tokens = { h: hostName, p: String(port), r: username ?? '', u: userInfo().username, d: home };
  return {
    hostName,
    port,
    username,
    identityFiles: list(computed.identityfile).map((file) => expandPath(file, tokens, home)),
    knownHostsFiles: list(computed.userknownhostsfile).map((file) => expandPath(file, tokens, home)),
  };
}

/** OpenSSH's limit on nested Include. */
const includeDepth = 16;

function globPattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** The files an Include names: ~ and relative paths (from ~/.ssh) resolved, a wildcard in the file name matched, sorted. */
function includedFiles(entry: string, home: string): string[] {
  const path = entry === '~' || entry.startsWith('~/') ? join(home, entry.slice(2)) : isAbsolute(entry) ? entry : join(home, '.ssh', entry);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  try {
    const matcher = globPattern(name);
    return readdirSync(dirname(path))
      .filter((candidate) => matcher.test(candidate))
      .sort()
      .map((candidate) => join(dirname(path), candidate));
  } catch {
    return [];
  }
}

/**
 * A config file with its Include lines replaced by the files they name, as ssh reads them
 * (a missing file is no error; nesting stops at OpenSSH's depth). Undefined: no config.
 */
export function readSshConfig(file: string, home: string, depth = 0): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (depth >= includeDepth) return text;
  return text
    .split('\n')
    .map((line) => {
      const include = /^\s*include\s+(.+)$/i.exec(line);
      if (!include?.[1]) return line;
      return include[1]
        .trim()
        .split(/\s+/)
        .flatMap((entry) => includedFiles(entry.replace(/^"|"$/g, ''), home))
        .map((included) => readSshConfig(included, home, depth + 1) ?? '')
        .join('\n');
    })
    .join('\n');
}
