import { InputError } from '../engine/errors';
import type { IsolationLevel } from './levels';

/**
 * Which OCI runtime runs a workspace. `runc` shares the host's kernel with the box (every
 * level but `sandboxed`); gVisor's `runsc` puts an application kernel between them: the box's
 * system calls are served by gVisor's Sentry, which itself runs under a tight seccomp filter,
 * so a kernel exploit in the box meets gVisor, not the host.
 */
export type RuntimeSetting = 'auto' | 'runc' | 'runsc';
export const runtimeSettings: RuntimeSetting[] = ['auto', 'runc', 'runsc'];

export const gvisorRuntime = 'runsc';

/** The levels that only run on gVisor. */
export const gvisorLevels: readonly IsolationLevel[] = ['sandboxed'];

/**
 * What gVisor itself takes from the box's limits, measured here (runsc 2022-12, ptrace): its
 * Sentry and Gofer are host processes in the box's cgroup, ~90 host pids at rest and ~8 more
 * per process in the box, and ~17 MiB of memory. The engine's limits count them, so a box at
 * strict's 100 pids died after a dozen processes; the workspace's limits are for the box's own
 * processes, and the engine is given these on top.
 */
export const gvisorOverhead = { pidsBase: 128, pidsPerProcess: 10, memoryBytes: 32 * 2 ** 20 };

/** The engine's pids and memory limits for a gVisor box whose own processes get `pidsLimit` and `memoryBytes`. */
export function gvisorLimits(pidsLimit: number, memoryBytes: number): { pidsLimit: number; memoryBytes: number } {
  return { pidsLimit: gvisorOverhead.pidsBase + gvisorOverhead.pidsPerProcess * pidsLimit, memoryBytes: memoryBytes + gvisorOverhead.memoryBytes };
}

/** What a daemon.json needs to offer gVisor (ptrace: works without KVM, in VMs and containers). */
export const gvisorDaemonSnippet = JSON.stringify({
  runtimes: { runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--platform=ptrace', '--oci-seccomp'] } },
});

export function checkRuntimeSetting(value: string | undefined): RuntimeSetting {
  const setting = (value ?? 'auto').trim() || 'auto';
  if ((runtimeSettings as string[]).includes(setting)) return setting as RuntimeSetting;
  throw new InputError('runtime', `Runtime "${setting}" is not one of ${runtimeSettings.join(', ')} (aicli.isolation.runtime, --runtime).`);
}

/**
 * The runtime a workspace of this level runs on: undefined is the engine's default (runc on
 * every engine we know; `runc` named when the setting asks for it, in case an engine's default
 * is another). Refuses what the engine cannot run, saying how to add it.
 */
export function runtimeFor(level: IsolationLevel, setting: RuntimeSetting, engineRuntimes: readonly string[], host: string): string | undefined {
  const needsGvisor = gvisorLevels.includes(level);
  if (needsGvisor && setting === 'runc') {
    throw new InputError(
      'runtime',
      `The ${level} level runs on gVisor (runsc), but the runtime is set to runc (aicli.isolation.runtime or --runtime). Set it to auto or runsc, or choose the strict level.`,
    );
  }
  const wanted = needsGvisor || setting === 'runsc' ? gvisorRuntime : setting === 'runc' ? 'runc' : undefined;
  if (wanted && !engineRuntimes.includes(wanted)) {
    const why = needsGvisor ? `The ${level} level runs on gVisor` : `aicli.isolation.runtime asks for ${wanted}`;
    throw new InputError(
      'runtime',
      `${why}, and the engine at ${host} has no "${wanted}" runtime (it has ${engineRuntimes.join(', ') || 'none listed'}). ` +
        `Install gVisor on the engine's host (Debian/Ubuntu: sudo apt-get install runsc), add ${gvisorDaemonSnippet} to /etc/docker/daemon.json and restart the engine; or choose the strict level.`,
    );
  }
  return wanted;
}

/** The runtimes an engine offers, from /info (`Runtimes` is a map by name). */
export function engineRuntimes(info: { Runtimes?: Record<string, unknown> }): string[] {
  return Object.keys(info.Runtimes ?? {}).sort();
}
