import { DockerEvent } from '../engine/events';
import { AuditFinding } from './audit';

export interface EventRuleOptions {
  /** A restart loop: this many automatic restarts within restartWindowMs. */
  restartCount: number;
  restartWindowMs: number;
  /** A die this soon after a kill event was asked for (stop, kill), not a crash. */
  killGraceMs: number;
}

export const defaultEventRuleOptions: EventRuleOptions = { restartCount: 3, restartWindowMs: 60_000, killGraceMs: 15_000 };

export type EventAlert = AuditFinding & { conditionAt: number };

export interface EventOutcome {
  raise: EventAlert[];
  /** Rules whose alerts this event ends. */
  clear: string[];
  /** The container is gone: drop all its alerts. */
  clearAll?: boolean;
}

/** Exit codes of a process ended by SIGHUP, SIGINT or SIGTERM: what a stop sends. */
const stopExitCodes = new Set([129, 130, 143]);

interface History {
  lastAction?: string;
  killedAt?: number;
  oomAt?: number;
  restarts: number[];
}

const timeOf = (event: DockerEvent): number => (event.timeNano ? event.timeNano / 1e6 : event.time * 1000);

/**
 * Alert rules on a container's engine events. Keeps a little history per container (the
 * last action, recent automatic restarts) because a die means different things after a
 * stop than on its own; otherwise a function of the event stream, testable without an engine.
 *
 * - oom → error (the kernel killed a process at the memory limit); cleared by the next start.
 * - die with a non-zero code → warning, unless the code is a stop signal's (129/130/143) or
 *   a kill event asked for it; cleared by the next start.
 * - restart loop: ≥ restartCount automatic restarts (a start right after a die, which is the
 *   restart policy at work) within restartWindowMs → error; cleared by a stop.
 * - health_status: unhealthy → warning; cleared by health_status: healthy.
 * - destroy → everything about the container is cleared.
 */
export class ContainerEventRules {
  private readonly history = new Map<string, History>();

  constructor(private readonly options: EventRuleOptions = defaultEventRuleOptions) {}

  onEvent(event: DockerEvent): EventOutcome {
    const outcome: EventOutcome = { raise: [], clear: [] };
    if (event.Type !== 'container') return outcome;
    const containerId = event.Actor.ID;
    const at = timeOf(event);
    const history = this.history.get(containerId) ?? { restarts: [] };
    this.history.set(containerId, history);
    const action = event.Action;

    if (action === 'oom') {
      history.oomAt = at;
      outcome.raise.push({
        rule: 'event.oom',
        type: 'resource_violation',
        severity: 'error',
        policyItem: 'oom',
        conditionAt: at,
        message: 'The kernel killed a process in the workspace for going over its memory limit (OOM kill).',
      });
    } else if (action === 'kill') {
      history.killedAt = at;
    } else if (action === 'die') {
      const code = Number(event.Actor.Attributes?.exitCode ?? 0);
      const asked = history.killedAt !== undefined && at - history.killedAt <= this.options.killGraceMs;
      if (code !== 0 && !stopExitCodes.has(code) && !asked) {
        const oom = code === 137 && history.oomAt !== undefined && at - history.oomAt <= this.options.killGraceMs;
        outcome.raise.push({
          rule: 'event.die',
          type: 'process_anomaly',
          severity: 'warning',
          policyItem: 'restarts',
          conditionAt: at,
          message: `The workspace's main process exited with code ${code}${oom ? ' (killed for going over its memory limit)' : ''}.`,
        });
      }
      history.lastAction = 'die';
    } else if (action === 'start') {
      outcome.clear.push('event.die', 'event.oom');
      if (history.lastAction === 'die') {
        history.restarts = [...history.restarts.filter((time) => at - time <= this.options.restartWindowMs), at];
        if (history.restarts.length >= this.options.restartCount) {
          const seconds = Math.round((at - (history.restarts[0] as number)) / 1000);
          outcome.raise.push({
            rule: 'event.restarts',
            type: 'process_anomaly',
            severity: 'error',
            policyItem: 'restarts',
            conditionAt: history.restarts[0] as number,
            message: `Restart loop: the workspace was restarted ${history.restarts.length} times in ${seconds} s after its main process failed.`,
          });
        }
      }
      history.lastAction = 'start';
      history.killedAt = undefined;
    } else if (action === 'stop') {
      history.lastAction = 'stop';
      history.restarts = [];
      outcome.clear.push('event.restarts');
    } else if (action === 'health_status: unhealthy') {
      outcome.raise.push({
        rule: 'event.health',
        type: 'process_anomaly',
        severity: 'warning',
        policyItem: 'health',
        conditionAt: at,
        message: 'The workspace is unhealthy: its health check failed repeatedly.',
      });
    } else if (action === 'health_status: healthy') {
      outcome.clear.push('event.health');
    } else if (action === 'destroy') {
      this.history.delete(containerId);
      outcome.clearAll = true;
    }
    return outcome;
  }
}
