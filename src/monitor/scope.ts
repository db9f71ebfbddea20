import { ContainerQuery } from '../engine/containers';
import { IsolationLevel, isolationLevels } from '../isolation/levels';
import { labels } from '../workspace/model';

/** A managed container as the monitor knows it: enough to name it in an alert and pick its rules. */
export interface MonitoredWorkspace {
  containerId: string;
  /** The workspace id label, or the short container id when a managed container lacks it. */
  id: string;
  name: string;
  level: IsolationLevel;
}

/**
 * Which containers one monitor watches: every managed container, narrowed by extra labels
 * (tests scope a monitor to their own run, so it never acts on anyone else's workspaces).
 */
export class MonitorScope {
  constructor(private readonly extraLabels: Record<string, string> = {}) {}

  /** The engine list of these containers (listContainers adds the managed label); `running`: only those that run. */
  containerQuery(running = false): ContainerQuery {
    return { labels: this.extraLabels, running };
  }

  /** Container events carry the container's labels in Actor.Attributes. */
  includes(containerLabels: Record<string, string> | undefined): boolean {
    if (containerLabels?.[labels.managed] !== 'true') return false;
    return Object.entries(this.extraLabels).every(([key, value]) => containerLabels[key] === value);
  }
}

export function monitoredWorkspace(containerId: string, containerLabels: Record<string, string> = {}, containerName?: string): MonitoredWorkspace {
  const level = containerLabels[labels.level] ?? '';
  return {
    containerId,
    id: containerLabels[labels.id] ?? containerId.slice(0, 12),
    name: containerLabels[labels.name] ?? (containerName ?? containerId.slice(0, 12)).replace(/^\//, ''),
    level: (isolationLevels as string[]).includes(level) ? (level as IsolationLevel) : 'standard',
  };
}
