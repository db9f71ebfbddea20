import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { homedir } from 'node:os';
import Docker from 'dockerode';
import { apiTooOldError, EngineError, EngineErrorKind, toEngineError } from './errors';
import { knownHostsVerifier } from './knownHosts';
import { sshLogin, sshReached } from './sshLogin';
import { engineProductName } from './product';
import { EngineTarget } from './target';

/** Oldest API we support: Docker 20.10 (what Debian 12 ships). */
export const minimumApiVersion = '1.41';
/** Newest API we have been tested against; newer engines are spoken to at this version. */
export const maximumApiVersion = '1.47';

export function compareApiVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return (aMajor ?? 0) - (bMajor ?? 0) || (aMinor ?? 0) - (bMinor ?? 0);
}

/** Logs engine calls; the UI points this at its LogOutputChannel, the CLI at stderr or nowhere. */
export interface EngineLog {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLog: EngineLog = { trace() {}, info() {}, warn() {}, error() {} };

function readTls(target: EngineTarget): Pick<Docker.DockerOptions, 'ca' | 'cert' | 'key'> & { agent?: HttpsAgent } {
  const tls = target.tls;
  if (!tls) return {};
  const read = (file: string): Buffer | undefined => {
    try {
      return readFileSync(join(tls.dir, file));
    } catch (err) {
      if (file === 'ca.pem' && !tls.verify) return undefined;
      throw new EngineError(
        'tls',
        `Cannot read ${file} for the TLS engine at ${target.host} from ${tls.dir}: ${(err as Error).message}.`,
        'Set aicli.docker.certPath (or DOCKER_CERT_PATH) to the folder with ca.pem, cert.pem and key.pem.',
        [{ id: 'openSettings', label: 'Open Settings' }],
        err,
      );
    }
  };
  const material = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  // docker-modem has no switch for skipping verification; a custom agent carries it.
  return tls.verify ? material : { ...material, agent: new HttpsAgent({ ...material, rejectUnauthorized: false }) };
}

/**
 * dockerode options for a target. Every transport key is set explicitly (even to undefined)
 * because docker-modem merges DOCKER_HOST from the environment underneath our options.
 */
export function dockerOptionsFor(target: EngineTarget, version: string | undefined, timeoutMs: number | undefined): Docker.DockerOptions {
  const spec = target.spec;
  const base = {
    version: version ? `v${version}` : undefined,
    timeout: timeoutMs,
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
  };
  switch (spec.scheme) {
    case 'unix':
      return { ...base, socketPath: spec.socketPath };
    case 'npipe':
      return { ...base, socketPath: spec.pipePath };
    case 'tcp':
      return { ...base, host: spec.host, port: spec.port, protocol: target.tls ? 'https' : 'http', ...readTls(target) };
    case 'ssh': {
      const login = sshLogin(target, homedir());
      return {
        ...base,
        // The ssh transport hands http an ssh2 channel, which has no setTimeout: docker-modem's
        // idle timeout would throw. Its connectionTimeout is a plain timer that ends the request.
        timeout: undefined,
        connectionTimeout: timeoutMs,
        host: login.hostName,
        port: login.port,
        protocol: 'ssh',
        username: login.username,
        sshOptions: {
          agent: process.env.SSH_AUTH_SOCK,
          privateKey: login.privateKey,
          // Like ssh itself: only a host whose key known_hosts lists (ssh2 alone would accept any).
          hostVerifier: knownHostsVerifier(login.hostName, login.port, login.knownHostsFile),
        },
      } as Docker.DockerOptions;
    }
  }
}

/** The parts of GET /info the product reads. */
export interface EngineInfo {
  ID?: string;
  DockerRootDir?: string;
  OperatingSystem?: string;
  KernelVersion?: string;
  Architecture?: string;
  Driver?: string;
  /** The storage driver's own facts, e.g. [["Backing Filesystem", "extfs"], …]. */
  DriverStatus?: [string, string][];
  CgroupVersion?: string;
  CgroupDriver?: string;
  NCPU?: number;
  MemTotal?: number;
  MemoryLimit?: boolean;
  PidsLimit?: boolean;
  SecurityOptions?: string[];
  /** The OCI runtimes it can run containers with, by name (runc, runsc…), and its default. */
  Runtimes?: Record<string, { path?: string; runtimeArgs?: string[] }>;
  DefaultRuntime?: string;
}

export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  /** What answers: dockerd lists "Engine", containerd, runc…; Podman lists "Podman Engine" (see product.ts). */
  Components?: { Name: string; Version: string }[];
}

/**
 * One engine: a negotiated API version and two clients over the same transport — `docker`
 * with the request timeout for quick reads, `untimed` without it for long-lived streams
 * (events, logs, stats, exec) and for writes whose duration the engine decides (create and
 * start under load, stop's grace period), which a fixed timeout would cut short.
 */
export class EngineConnection {
  private constructor(
    readonly target: EngineTarget,
    readonly apiVersion: string,
    readonly engineVersion: EngineVersion,
    readonly docker: Docker,
    readonly untimed: Docker,
    readonly log: EngineLog,
  ) {}

  get host(): string {
    return this.target.host;
  }

  private infoValue: Promise<EngineInfo> | undefined;

  /**
   * GET /info, read once per connection: CPU count and security options don't change while
   * the engine runs, and a reconnect makes a new connection.
   */
  info(): Promise<EngineInfo> {
    this.infoValue ??= this.call('info', (docker) => docker.info() as Promise<EngineInfo>).catch((err: unknown) => {
      this.infoValue = undefined;
      throw err;
    });
    return this.infoValue;
  }

  /** Reaches the engine, negotiates the API version, and returns a ready connection. */
  static async connect(target: EngineTarget, log: EngineLog = silentLog): Promise<EngineConnection> {
    const started = Date.now();
    const probe = new Docker(dockerOptionsFor(target, undefined, target.timeoutMs));
    let version: EngineVersion;
    try {
      // GET /version is the ping: one round trip proves the engine answers and tells its API range.
      version = (await probe.version()) as EngineVersion;
    } catch (err) {
      const mapped = toEngineError(err, target.host, target.spec.scheme === 'ssh' ? sshReached(target, homedir()) : undefined);
      log.error(`connect ${target.host} (${target.source}) failed: ${mapped.message}`);
      throw mapped;
    }
    if (compareApiVersions(version.ApiVersion, minimumApiVersion) < 0) {
      throw apiTooOldError(target.host, `engine API ${version.ApiVersion}, this extension needs ${minimumApiVersion} or newer`);
    }
    const apiVersion = target.apiVersion ?? (compareApiVersions(version.ApiVersion, maximumApiVersion) > 0 ? maximumApiVersion : version.ApiVersion);
    const docker = new Docker(dockerOptionsFor(target, apiVersion, target.timeoutMs));
    const untimed = new Docker(dockerOptionsFor(target, apiVersion, undefined));
    if (target.apiVersion) {
      // A pinned version the engine can't speak fails here, with the engine's own reason.
      await docker.ping().catch((err: unknown) => {
        throw toEngineError(err, target.host);
      });
    }
    log.info(`connected to ${target.host} (${target.source}): ${engineProductName(version)}, API ${apiVersion} in ${Date.now() - started} ms`);
    return new EngineConnection(target, apiVersion, version, docker, untimed, log);
  }

  /**
   * Runs one engine call with error mapping and a trace-level timing line. `untimed` runs it on
   * the client without the request timeout (writes whose duration the engine decides);
   * `expected` kinds are outcomes the caller handles (an image not there yet), logged at trace.
   */
  async call<T>(what: string, fn: (docker: Docker) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const started = Date.now();
    try {
      const result = await fn(options.untimed ? this.untimed : this.docker);
      this.log.trace(`${what} ${Date.now() - started} ms`);
      return result;
    } catch (err) {
      const elapsed = Date.now() - started;
      // docker-modem ends a request that hits the timeout by destroying it ("socket hang up").
      const timedOut = !options.untimed && (err as { code?: string }).code === 'ECONNRESET' && elapsed >= this.target.timeoutMs;
      const mapped = toEngineError(timedOut ? Object.assign(err as Error, { code: 'ETIMEDOUT' }) : err, this.host);
      const line = `${what} failed after ${elapsed} ms: ${mapped.message}`;
      if (options.expected?.includes(mapped.kind)) this.log.trace(line);
      else this.log.error(line);
      throw mapped;
    }
  }
}

export interface CallOptions {
  untimed?: boolean;
  expected?: EngineErrorKind[];
}
