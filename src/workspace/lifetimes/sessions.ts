import { DockerEvent } from '../../engine/events';
import { isConnectionCountCommand } from '../../monitor/connections';
import { isProcessCheckCommand } from '../../monitor/processChecks';

/**
 * Exec sessions as the engine's events show them, whichever front end started them (a
 * terminal, Run Command, aicli-ws exec, an MCP agent, plain `docker exec`): `exec_start: CMD`
 * carries the command line (Cmd joined by spaces) and the execID, `exec_die` the execID. Two
 * kinds of exec are nobody's session and are left out: the monitor's process checks (their
 * command is ours, processChecks.ts) and the image's health check, which the engine runs as an
 * exec every interval (its command is the container's Healthcheck.Test).
 */
const execStartPrefix = 'exec_start: ';

/** The command line of an exec_start event (the engine ends a command without arguments with a space); undefined for any other event. */
export function execStartCommand(event: DockerEvent): string | undefined {
  return event.Action.startsWith(execStartPrefix) ? event.Action.slice(execStartPrefix.length).trimEnd() : undefined;
}

export const execIdOf = (event: DockerEvent): string | undefined => event.Actor.Attributes?.execID;

/**
 * The command line the engine runs for a health check (from the container's Config): CMD-SHELL
 * x is the image's SHELL (default `/bin/sh -c`) then x, CMD a b is `a b`; NONE: no check.
 */
export function healthCheckCommand(test: string[] | undefined, shell: string[] = ['/bin/sh', '-c']): string | undefined {
  const [kind, ...rest] = test ?? [];
  if (kind === 'CMD-SHELL') return [...shell, ...rest].join(' ').trimEnd();
  if (kind === 'CMD') return rest.join(' ').trimEnd();
  return undefined;
}

/** An exec that is not a session: the monitor's process check, a connection count, or this container's health check. */
export function isOwnExec(commandLine: string, healthCheck: string | undefined): boolean {
  const line = commandLine.trimEnd();
  return isProcessCheckCommand(line) || isConnectionCountCommand(line) || (healthCheck !== undefined && line === healthCheck);
}
