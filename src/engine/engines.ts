import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { EngineLog, silentLog } from './connection';
import { Disposable, Emitter } from './emitter';
import { Engine } from './engine';
import { EngineError } from './errors';
import { EngineTarget, resolveEngineTarget } from './target';

/** One entry of aicli.engines (or the CLI's engines file) as the user wrote it. */
export interface EngineEntry {
  name: string;
  host: string;
  /** tcp:// only: verify the engine's certificate (default true when certPath is set). */
  tlsVerify?: boolean;
  /** tcp:// only: folder with ca.pem, cert.pem, key.pem. */
  certPath?: string;
  /** ssh:// only: private key file; otherwise the ssh config's, ssh's default keys and ssh-agent (SSH_AUTH_SOCK). */
  sshKey?: string;
  /** ssh:// only: the known_hosts file the host key must be listed in; default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** ssh:// only: the ssh config to read; default ~/.ssh/config. */
  sshConfigFile?: string;
}

/** The engine resolved by the foundation's rules (setting, DOCKER_HOST, context, default). */
export const defaultEngineName = 'default';

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,39}$/;

const expandHome = (path: string, home: string): string => (path.startsWith('~/') ? join(home, path.slice(2)) : path);

/**
 * Checks the raw setting value. Bad entries are dropped with a sentence each (shown to the
 * user), good ones are kept: one typo must not take every other engine away.
 */
export function parseEngineEntries(raw: unknown, home = homedir()): { entries: EngineEntry[]; problems: string[] } {
  const entries: EngineEntry[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { entries, problems };
  if (!Array.isArray(raw)) return { entries, problems: ['aicli.engines must be a list of { "name", "host" } objects.'] };
  const seen = new Set([defaultEngineName]);
  raw.forEach((item: unknown, index) => {
    const where = `aicli.engines[${index}]`;
    if (!item || typeof item !== 'object') return problems.push(`${where} is not an object with "name" and "host".`);
    const { name, host, tlsVerify, certPath, sshKey, knownHostsFile, sshConfigFile } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !namePattern.test(name))
      return problems.push(`${where}: "name" must be letters, digits, ".", "_" or "-" (at most 40), got ${JSON.stringify(name)}.`);
    if (seen.has(name))
      return problems.push(`${where}: the name "${name}" is ${name === defaultEngineName ? 'reserved for the engine of aicli.docker.host' : 'used twice'}.`);
    if (typeof host !== 'string' || !host.trim())
      return problems.push(`${where} (${name}): "host" is missing, e.g. "tcp://build-box:2376" or "ssh://me@build-box".`);
    if (tlsVerify !== undefined && typeof tlsVerify !== 'boolean') return problems.push(`${where} (${name}): "tlsVerify" must be true or false.`);
    for (const [key, value] of Object.entries({ certPath, sshKey, knownHostsFile, sshConfigFile })) {
      if (value !== undefined && (typeof value !== 'string' || !isAbsolute(expandHome(value, home))))
        return problems.push(`${where} (${name}): "${key}" must be an absolute path (or start with ~/).`);
    }
    seen.add(name);
    entries.push({
      name,
      host: host.trim(),
      tlsVerify: tlsVerify as boolean | undefined,
      certPath: certPath === undefined ? undefined : expandHome(certPath as string, home),
      sshKey: sshKey === undefined ? undefined : expandHome(sshKey as string, home),
      knownHostsFile: knownHostsFile === undefined ? undefined : expandHome(knownHostsFile as string, home),
      sshConfigFile: sshConfigFile === undefined ? undefined : expandHome(sshConfigFile as string, home),
    });
  });
  return { entries, problems };
}

/** How to reach a named engine; host-string problems surface as EngineError('badHost'). */
export function targetForEntry(entry: EngineEntry, timeoutMs: number, home = homedir()): EngineTarget {
  const tlsVerify = entry.certPath || entry.tlsVerify !== undefined ? (entry.tlsVerify === false ? 'off' : 'on') : 'off';
  // No environment: DOCKER_HOST or DOCKER_CERT_PATH must not leak into a named engine.
  const target = resolveEngineTarget({ host: entry.host, apiVersion: '', timeoutMs, tlsVerify, certPath: entry.certPath ?? '' }, {}, home);
  return { ...target, source: `engine ${entry.name}`, sshKey: entry.sshKey, knownHostsFile: entry.knownHostsFile, sshConfigFile: entry.sshConfigFile };
}

export interface NamedEngine {
  name: string;
  engine: Engine;
  /** Undefined for the default engine. */
  entry?: EngineEntry;
}

/**
 * The default engine plus every configured one, each an Engine of its own (own connection,
 * events stream, backoff and error), so an unreachable engine never blocks the others.
 * reconfigure() keeps the engines whose entry did not change and their state.
 */
export class EngineSet implements Disposable {
  private readonly engines = new Map<string, NamedEngine>();
  private readonly changeEmitter = new Emitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    defaultTarget: () => EngineTarget,
    private readonly entries: () => EngineEntry[],
    private readonly timeoutMs: () => number,
    private readonly log: EngineLog = silentLog,
  ) {
    this.engines.set(defaultEngineName, { name: defaultEngineName, engine: new Engine(defaultTarget, { log }) });
    this.apply();
  }

  get all(): NamedEngine[] {
    return [...this.engines.values()];
  }

  get default(): Engine {
    return (this.engines.get(defaultEngineName) as NamedEngine).engine;
  }

  get(name: string): Engine {
    const found = this.engines.get(name);
    if (!found) {
      throw new EngineError(
        'badHost',
        `There is no engine named "${name}".`,
        `Use one of ${[...this.engines.keys()].join(', ')}, or add it to aicli.engines.`,
        [{ id: 'openSettings', label: 'Open Settings' }],
      );
    }
    return found.engine;
  }

  start(): void {
    for (const { engine } of this.engines.values()) engine.start();
  }

  /** Re-reads the entries: new engines start, removed ones stop, changed ones reconnect. The default engine is left alone. */
  reconfigure(): void {
    this.apply(true);
  }

  private apply(startNew = false): void {
    const wanted = new Map(this.entries().map((entry) => [entry.name, entry]));
    let changed = false;
    for (const [name, current] of this.engines) {
      if (name === defaultEngineName) continue;
      const entry = wanted.get(name);
      if (entry && JSON.stringify(entry) === JSON.stringify(current.entry)) continue;
      current.engine.dispose();
      this.engines.delete(name);
      changed = true;
    }
    for (const [name, entry] of wanted) {
      if (this.engines.has(name)) continue;
      const engine = new Engine(() => targetForEntry(entry, this.timeoutMs()), { log: this.log });
      this.engines.set(name, { name, engine, entry });
      if (startNew) engine.start();
      changed = true;
    }
    if (changed && startNew) this.changeEmitter.fire();
  }

  dispose(): void {
    for (const { engine } of this.engines.values()) engine.dispose();
    this.engines.clear();
    this.changeEmitter.dispose();
  }
}
