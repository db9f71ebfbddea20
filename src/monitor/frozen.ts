import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineConnection } from '../engine/connection';
import { inspectContainer, listContainers } from '../engine/containers';
import { AlertInput } from './alerts';
import { MonitoredWorkspace } from './scope';

/**
 * A workspace the engine no longer answers for after a pause.
 *
 * On Docker 20.10 with runc 1.1 and cgroup v1, an exec whose process is still being set up
 * (`runc init`) when the container is frozen is frozen half-way: runc waits for it forever,
 * and the engine then holds the container, so inspect, stats, unpause and even `rm -f` hang.
 * Any exec can hit it (a terminal being opened, our process checks, `docker exec` from a shell)
 * with any pause (ours, `docker pause`). Only the cgroup freezer on the engine's host gets it
 * out: thawing lets `runc init` finish, and freezing again puts the cgroup back where the
 * engine believes it is (paused), so an ordinary unpause then works.
 *
 * The monitor looks once after every pause event (an inspect that must answer within a few
 * seconds) and raises this alert with the way out; `aicli-ws unfreeze` does it on the host.
 */
export const frozenRule = 'engine.frozen';

/** How long to wait after a pause before looking, and how long an inspect may take. */
export const frozenProbeDelayMs = 500;
export const frozenProbeTimeoutMs = 4000;

const containerIdPattern = /^[0-9a-f]{64}$/;

function checkedId(containerId: string): string {
  // The id goes into a root shell command: never anything but 64 hex digits.
  if (!containerIdPattern.test(containerId)) throw new Error(`not a full container id: ${containerId}`);
  return containerId;
}

/**
 * The POSIX sh that thaws and refreezes the container's cgroup, as root on the engine's host:
 * the v1 freezer when there is one (hybrid hosts also have a v2 `cgroup.freeze`, which the
 * engine does not use there and must not be touched), else the v2 one.
 */
export function unfreezeScript(containerId: string): string {
  const id = checkedId(containerId);
  const find = (file: string): string =>
    `$(find /sys/fs/cgroup -maxdepth 7 \\( -path "*/${id}/${file}" -o -path "*/docker-${id}.scope/${file}" \\) | head -n 1)`;
  return [
    `f=${find('freezer.state')};`,
    'if [ -n "$f" ]; then echo THAWED > "$f"; sleep 1; echo FROZEN > "$f";',
    `else f=${find('cgroup.freeze')};`,
    '  if [ -n "$f" ]; then echo 0 > "$f"; sleep 1; echo 1 > "$f"; else echo "no cgroup of the container here" >&2; exit 1; fi;',
    'fi',
  ].join(' ');
}

export function unfreezeCommand(containerId: string): string {
  return `sudo sh -c '${unfreezeScript(containerId)}'`;
}

/** How the alert's message begins: the UI recognises the alert's diagnostic by it. */
export const frozenMessageStart = 'The engine stopped answering for this workspace after it was paused';

export function frozenAlert(workspace: MonitoredWorkspace, conditionAt: number): AlertInput {
  return {
    workspace,
    rule: frozenRule,
    type: 'process_anomaly',
    // error, not critical: the breach response (pause/stop) would hang on this container too.
    severity: 'error',
    policyItem: 'processes',
    conditionAt,
    message:
      `${frozenMessageStart}: an exec starting in it was frozen half-way (a Docker 20.10/runc bug with cgroup v1), ` +
      `so it cannot be resumed, stopped or removed. Unfreeze it as root on the engine's host with ` +
      `\`aicli-ws unfreeze ${workspace.name}\` or the quick fix's command, then Resume it.`,
  };
}

/** True when `promise` settles (either way) within `ms`. */
export function answersWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}

/** The container's freezer file on this host: v1 `freezer.state` if any, else v2 `cgroup.freeze`. */
export async function findFreezerFiles(containerId: string, root = '/sys/fs/cgroup', maxDepth = 6): Promise<string[]> {
  const id = checkedId(containerId);
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === id || entry.name === `docker-${id}.scope`) {
        const files = await readdir(path).catch(() => [] as string[]);
        if (files.includes('freezer.state')) found.push(join(path, 'freezer.state'));
        else if (files.includes('cgroup.freeze')) found.push(join(path, 'cgroup.freeze'));
      } else if (depth < maxDepth) {
        await walk(path, depth + 1);
      }
    }
  };
  await walk(root, 1);
  // Hybrid hosts have both; the engine freezes with v1 there (see unfreezeScript).
  const v1 = found.filter((file) => file.endsWith('freezer.state'));
  return v1.length > 0 ? v1 : found;
}

/** Writes the freezer state to each file: v1 `freezer.state` takes THAWED/FROZEN, v2 `cgroup.freeze` 0/1. */
async function setFrozen(files: string[], frozen: boolean): Promise<void> {
  for (const file of files) await writeFile(file, file.endsWith('freezer.state') ? (frozen ? 'FROZEN' : 'THAWED') : frozen ? '1' : '0');
}

/** Thaws the container's cgroup and leaves it so (a last resort: the engine still believes it paused). Needs root. */
export async function thawLocally(containerId: string, root?: string): Promise<string[]> {
  const files = await findFreezerFiles(containerId, root);
  await setFrozen(files, false);
  return files;
}

/**
 * Thaws the container's cgroup, gives `runc init` a second to finish, and freezes it again
 * (what the engine believes it is). Needs root on the engine's host. Returns the files written.
 */
export async function unfreezeLocally(containerId: string, settleMs = 1000, root?: string): Promise<string[]> {
  const files = await thawLocally(containerId, root);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await setFrozen(files, true);
  return files;
}

export interface FrozenProbeOptions {
  delayMs?: number;
  timeoutMs?: number;
  /** Still paused as far as the events say (an unpause or stop since makes the look moot). */
  stillPaused: (containerId: string) => boolean;
  onFrozen: (containerId: string) => void;
}

/**
 * One look per pause event: the container's inspect must answer within timeoutMs while a list
 * of it does (so an engine that is slow or gone as a whole is not taken for this).
 */
export class FrozenProbe {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(
    private readonly connection: () => Promise<EngineConnection>,
    private readonly options: FrozenProbeOptions,
  ) {}

  afterPause(containerId: string): void {
    this.cancel(containerId);
    const timer = setTimeout(() => {
      this.timers.delete(containerId);
      void this.look(containerId);
    }, this.options.delayMs ?? frozenProbeDelayMs);
    timer.unref?.();
    this.timers.set(containerId, timer);
  }

  cancel(containerId: string): void {
    clearTimeout(this.timers.get(containerId));
    this.timers.delete(containerId);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Whether the engine's inspect of the container answers (or fails) within the probe's timeout. */
  inspectAnswers(containerId: string): Promise<boolean> {
    const inspected = this.connection().then((connection) => inspectContainer(connection, containerId, `inspect ${containerId.slice(0, 12)} (frozen probe)`));
    return answersWithin(inspected, this.timeoutMs);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? frozenProbeTimeoutMs;
  }

  private async look(containerId: string): Promise<void> {
    if (this.disposed || !this.options.stillPaused(containerId)) return;
    // Any container by id: the look is about the engine answering, not about our labels.
    const listed = this.connection().then((connection) =>
      listContainers(connection, { kind: 'any', ids: [containerId] }, `list ${containerId.slice(0, 12)} (frozen probe)`),
    );
    const [inspectAnswered, listAnswered] = await Promise.all([this.inspectAnswers(containerId), answersWithin(listed, this.timeoutMs)]);
    if (!inspectAnswered && listAnswered && !this.disposed && this.options.stillPaused(containerId)) this.options.onFrozen(containerId);
  }
}
