import { MonitoredWorkspace } from './scope';

export type RunState = 'created' | 'running' | 'paused' | 'exited';

/** What the monitor's parts share about a watched container; each part keeps its own state beside this. */
export interface TrackedWorkspace {
  workspace: MonitoredWorkspace;
  /** From events and lists only: an inspect may predate the latest event. */
  state: RunState;
  /** The box's disk limit (bytes) as its inspect showed it; the process checks then count its disk too (diskUsage.ts). */
  diskLimitBytes?: number;
}

/** The engine's `State` of a container list row, as the monitor's run state. */
export function runStateOf(engineState: string | undefined): RunState {
  if (engineState === 'running' || engineState === 'paused' || engineState === 'created') return engineState;
  return 'exited';
}

/** The containers the monitor watches, by id: the one answer to "is it still there, does it run". */
export class TrackedWorkspaces {
  private readonly tracked = new Map<string, TrackedWorkspace>();

  get(containerId: string): TrackedWorkspace | undefined {
    return this.tracked.get(containerId);
  }

  /** The entry of a container, made (as just created) the first time it is seen. */
  track(workspace: MonitoredWorkspace): TrackedWorkspace {
    let tracked = this.tracked.get(workspace.containerId);
    if (!tracked) {
      tracked = { workspace, state: 'created' };
      this.tracked.set(workspace.containerId, tracked);
    }
    return tracked;
  }

  isRunning(containerId: string): boolean {
    return this.tracked.get(containerId)?.state === 'running';
  }

  ids(): string[] {
    return [...this.tracked.keys()];
  }

  delete(containerId: string): void {
    this.tracked.delete(containerId);
  }
}
