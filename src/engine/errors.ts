/**
 * The one error type the core raises for engine trouble. It carries what a user should read
 * and the action that fixes it, so the UI and the CLI never show a raw stack trace.
 */
export type EngineErrorKind = 'notRunning' | 'permissionDenied' | 'badHost' | 'tls' | 'timeout' | 'apiTooOld' | 'notFound' | 'conflict' | 'engine';

/** Identifies a fix the UI can offer as a button and the CLI can print as advice. */
export type EngineActionId = 'retry' | 'openSettings' | 'showLog' | 'startEngine';

export interface EngineAction {
  id: EngineActionId;
  label: string;
}

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    /** Complete sentence(s) for the user: what failed and where. */
    message: string,
    /** What to do about it, as one sentence. */
    readonly suggestion: string,
    readonly actions: EngineAction[] = [],
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  /** Message and advice on one line, for notifications and the CLI. */
  get userMessage(): string {
    return `${this.message} ${this.suggestion}`.trim();
  }
}

const retry: EngineAction = { id: 'retry', label: 'Retry' };
const openSettings: EngineAction = { id: 'openSettings', label: 'Open Settings' };
const showLog: EngineAction = { id: 'showLog', label: 'Show Log' };

interface NodeLikeError {
  code?: string;
  errno?: number;
  statusCode?: number;
  reason?: string;
  json?: unknown;
  message?: string;
  level?: string;
}

function engineMessageOf(err: NodeLikeError): string {
  const json = err.json as { message?: string } | string | undefined | null;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  return err.reason ?? err.message ?? String(err);
}

const tlsCodes = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** What the user can do about an engine that cannot be reached: try again, fix the settings, read the log. */
const unreachable = (kind: EngineErrorKind, message: string, fix: string, cause: unknown): EngineError =>
  new EngineError(kind, message, fix, [retry, openSettings, showLog], cause);

/** The engine could not be reached or spoken to: no socket, refused, permissions, TLS, timeouts, DNS. */
function transportError(err: unknown, e: NodeLikeError, code: string, text: string, host: string): EngineError | undefined {
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return unreachable(
      'notRunning',
      `The Docker engine at ${host} is not running (${code === 'ENOENT' ? 'no socket there' : 'connection refused'}).`,
      'Start Docker (for example `sudo systemctl start docker`, or run `npm start` in this project to start a private engine), or point aicli.docker.host at a running engine.',
      err,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return unreachable(
      'permissionDenied',
      `Permission denied on the Docker socket ${host}.`,
      'Add your user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again) or use a rootless engine.',
      err,
    );
  }
  if (tlsCodes.has(code) || (e.statusCode === undefined && /certificate|tls|ssl/i.test(`${code} ${text}`))) {
    return unreachable(
      'tls',
      `TLS handshake with ${host} failed: ${text}.`,
      "Check aicli.docker.certPath (ca.pem, cert.pem, key.pem) and aicli.docker.tlsVerify, or the engine's certificate.",
      err,
    );
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || (e.statusCode === undefined && /timeout|timed out/i.test(text))) {
    return unreachable(
      'timeout',
      `The Docker engine at ${host} did not answer in time.`,
      'Check that the host is reachable and the engine is healthy, or raise aicli.docker.timeout.',
      err,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return unreachable(
      'notRunning',
      `Cannot reach the Docker host ${host} (${code}).`,
      'Check the host name and network, or point aicli.docker.host at a reachable engine.',
      err,
    );
  }
  return undefined;
}

/** Where an ssh:// engine is really reached (after ~/.ssh/config): what ssh-keyscan needs, as it reads no config. */
export interface SshReached {
  hostName: string;
  port: number;
  username?: string;
  knownHostsFile?: string;
}

/** ssh:// engines: an unknown host key or a failed login. */
function sshError(err: unknown, e: NodeLikeError, text: string, host: string, reached?: SshReached): EngineError | undefined {
  if (/Host denied \(verification failed\)/.test(text)) {
    const where = /^ssh:\/\/(?:[^@/]*@)?([^/:]+|\[[^\]]+\])(?::(\d+))?/.exec(host);
    const [name, port] = reached ? [reached.hostName, reached.port === 22 ? undefined : String(reached.port)] : [where?.[1], where?.[2]];
    const scan = name ? `ssh-keyscan${port ? ` -p ${port}` : ''} ${name}` : 'ssh-keyscan <host>';
    return unreachable(
      'permissionDenied',
      `The SSH host key of ${host} is not in your known_hosts (an unknown host, or its key changed).`,
      `Check the host's key fingerprint, then add it (\`${scan} >> ${reached?.knownHostsFile ?? '~/.ssh/known_hosts'}\`, or connect once with ssh).`,
      err,
    );
  }
  if (e.level === 'client-authentication' || (e.statusCode === undefined && /authentication|handshake|host key/i.test(text))) {
    return unreachable(
      'permissionDenied',
      `SSH login to ${host} failed: ${text}.`,
      'Check the user name, that your key is loaded in ssh-agent (SSH_AUTH_SOCK), and the host key.',
      err,
    );
  }
  return undefined;
}

/**
 * Maps whatever dockerode, docker-modem, ssh2 or Node threw into an EngineError that names
 * the host. Already-mapped errors pass through unchanged.
 */
export function toEngineError(err: unknown, host: string, sshReached?: SshReached): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err ?? {}) as NodeLikeError;
  const code = e.code ?? '';
  const text = engineMessageOf(e);
  const unreachable = transportError(err, e, code, text, host) ?? sshError(err, e, text, host, sshReached);
  if (unreachable) return unreachable;
  if (e.statusCode === 400 && /client version .* too (old|new)|minimum supported API version/i.test(text)) {
    return apiTooOldError(host, text, err);
  }
  if (e.statusCode === 404) {
    return new EngineError('notFound', text, 'Refresh the view: it may have been removed outside VS Code.', [], err);
  }
  if (e.statusCode === 409) {
    return new EngineError('conflict', text, 'Wait for the current operation to finish, or choose another name.', [], err);
  }
  if (/cannot run with network enabled in root network namespace/.test(text)) return gvisorNetworkError(host, text, err);
  return new EngineError('engine', `The Docker engine at ${host} reported an error: ${text}`, 'See the AICLI Workspaces log for details.', [showLog], err);
}

/**
 * gVisor releases before mid-2024 (Debian 12's runsc among them) take every network namespace
 * for the root one on kernels that show net.core.rmem_default per namespace (6.x) and start no box.
 */
function gvisorNetworkError(host: string, text: string, cause: unknown): EngineError {
  return new EngineError(
    'engine',
    `gVisor (runsc) on the engine at ${host} cannot set up the box's network: this runsc takes the box's network namespace for the host's on this kernel (${text}).`,
    'Install a newer gVisor, or add "--network=host" to the runsc runtimeArgs in the engine\'s daemon.json and restart it (the box keeps its own network namespace; gVisor then serves its sockets from the host kernel\'s network stack).',
    [showLog],
    cause,
  );
}

export function apiTooOldError(host: string, detail: string, cause?: unknown): EngineError {
  return new EngineError(
    'apiTooOld',
    `The Docker engine at ${host} speaks an API that is too old (${detail}).`,
    'Upgrade Docker to 20.10 or newer, or set aicli.docker.apiVersion to a version the engine supports.',
    [openSettings, showLog],
    cause,
  );
}

export function badHostError(host: string, why: string): EngineError {
  return new EngineError(
    'badHost',
    `"${host}" is not a Docker host: ${why}.`,
    'Use unix:///path/to/docker.sock, npipe:////./pipe/docker_engine, tcp://host:port or ssh://user@host[:port] in aicli.docker.host or DOCKER_HOST.',
    [openSettings],
  );
}

/**
 * The one cancellation type: work the user (or a signal) cancelled. Front ends end such a
 * command quietly (the user knows: they cancelled it); everything else is a failure to show.
 */
export class CancelledError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/**
 * Bad input from the user (a setting, a wizard answer, a CLI flag), caught before anything
 * is created. `field` names what to fix; the message says what was wrong and what to do.
 */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** The image a workspace should run is not on the engine: the UI offers Pull / Build / Choose. */
export class MissingImageError extends InputError {
  constructor(
    readonly image: string,
    host: string,
  ) {
    super('image', `Image ${image} is not on the engine at ${host}: pull or build it first, or choose another image.`);
    this.name = 'MissingImageError';
  }
}
