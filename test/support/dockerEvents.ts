// Engine events for the unit tests' fake engines, shaped as the engine sends them.
import type { DockerEvent } from '../../src/engine/events';

/** The labels of a managed workspace w1 named "one" at the standard level. */
export const workspaceOneLabels = { 'aicli.managed': 'true', 'aicli.workspace.id': 'w1', 'aicli.workspace.name': 'one', 'aicli.workspace.level': 'standard' };

/** A container event dated atMs (the engine's whole seconds and nanoseconds). */
export function containerEvent(containerId: string, action: string, attributes: Record<string, string>, atMs: number): DockerEvent {
  return {
    Type: 'container',
    Action: action,
    Actor: { ID: containerId, Attributes: attributes },
    time: Math.floor(atMs / 1000),
    timeNano: atMs * 1e6,
  };
}
