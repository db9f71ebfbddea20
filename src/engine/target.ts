import { join } from 'node:path';
import { currentDockerContext } from './context';
import { defaultUnixSocket, defaultWindowsPipe, HostSpec, parseDockerHost } from './host';

/** Engine settings as the user wrote them (aicli.docker.*), before any resolution. */
export interface EngineSettings {
  host: string;
  apiVersion: string;
  timeoutMs: number;
  tlsVerify: 'auto' | 'on' | 'off';
  certPath: string;
}

export const defaultEngineSettings: EngineSettings = { host: '', apiVersion: '', timeoutMs: 10000, tlsVerify: 'auto', certPath: '' };

export interface TlsMaterial {
  /** Folder holding ca.pem, cert.pem and key.pem. */
  dir: string;
  verify: boolean;
}

/** Which engine to talk to and how, with where that choice came from (for messages). */
export interface EngineTarget {
  host: string;
  spec: HostSpec;
  source: 'setting' | 'DOCKER_HOST' | `context ${string}` | 'default' | `engine ${string}`;
  tls?: TlsMaterial;
  /** ssh:// only: a private key file to log in with instead of ssh-agent. */
  sshKey?: string;
  /** ssh:// only: where host keys are checked; default the config's UserKnownHostsFile, else ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** ssh:// only: the ssh config for aliases, users, ports and keys; default ~/.ssh/config. */
  sshConfigFile?: string;
  apiVersion?: string;
  timeoutMs: number;
}

/**
 * Resolves the engine like the docker CLI does, with our setting first:
 * aicli.docker.host, DOCKER_HOST, the current Docker context, the platform default.
 * Throws EngineError('badHost') for a host string that cannot work.
 */
export function resolveEngineTarget(
  settings: EngineSettings,
  env: NodeJS.ProcessEnv,
  home: string,
  platform: NodeJS.Platform = process.platform,
): EngineTarget {
  const certDir = settings.certPath || env.DOCKER_CERT_PATH || join(home, '.docker');
  const envWantsTls = Boolean(env.DOCKER_TLS_VERIFY);
  const tlsFor = (contextTls?: TlsMaterial): TlsMaterial | undefined => {
    if (settings.tlsVerify === 'on') return { dir: certDir, verify: true };
    if (settings.tlsVerify === 'off') return undefined;
    return contextTls ?? (envWantsTls ? { dir: certDir, verify: true } : undefined);
  };
  const finish = (host: string, source: EngineTarget['source'], contextTls?: TlsMaterial): EngineTarget => {
    const tls = tlsFor(contextTls);
    const spec = parseDockerHost(host, Boolean(tls));
    return {
      host,
      spec,
      source,
      tls: spec.scheme === 'tcp' ? tls : undefined,
      apiVersion: settings.apiVersion || undefined,
      timeoutMs: settings.timeoutMs,
    };
  };

  if (settings.host.trim()) return finish(settings.host.trim(), 'setting');
  if (env.DOCKER_HOST?.trim()) return finish(env.DOCKER_HOST.trim(), 'DOCKER_HOST');
  const context = currentDockerContext(env, home);
  if (context) {
    const contextTls = context.tlsDir ? { dir: context.tlsDir, verify: !context.skipTlsVerify } : undefined;
    return finish(context.host, `context ${context.name}`, contextTls);
  }
  return finish(platform === 'win32' ? `npipe://${defaultWindowsPipe}` : `unix://${defaultUnixSocket}`, 'default');
}

/**
 * The engine runs on this machine (a unix socket or a named pipe): a bind's source is a folder
 * here and the engine host's addresses are this machine's. tcp:// and ssh:// engines are remote.
 */
export function isLocalEngine(target: Pick<EngineTarget, 'spec'> | undefined): boolean {
  return target?.spec.scheme === 'unix' || target?.spec.scheme === 'npipe';
}
