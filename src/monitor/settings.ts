import { defaultBlockedPorts } from '../isolation/ports';
import { defaultProtectedPaths } from '../isolation/projectMount';
import { defaultSustain, ThresholdRule } from './thresholds';

export type BreachResponse = 'notify' | 'pause' | 'stop';

/**
 * The monitor's settings as plain data: the UI maps aicli.monitor.* (and the network and
 * workspace settings it shares) into this, the CLI and tests pass literals.
 */
export interface MonitorSettings {
  /** % of the workspace's CPU allowance (its quota, or all CPUs without one). */
  cpuPercent: number;
  /** % of its memory limit, page cache excluded. */
  memoryPercent: number;
  /** % of its pids limit. */
  pidsPercent: number;
  /** Applied to security_breach and critical alerts; 'notify' leaves it to the UI. */
  onBreach: BreachResponse;
  blockedPorts: number[];
  /** aicli.workspace.mountDockerSocket: an engine-socket mount is then reported, not acted on. */
  allowEngineSocket: boolean;
  /** Exec-based process and listener checks (see processChecks.ts). */
  processChecks: boolean;
  /** aicli.workspace.protectedPaths: those a workspace could not mount read-only are watched (protectedPaths.ts). */
  protectedPaths: string[];
  sustain: Omit<ThresholdRule, 'threshold'>;
  /** Network traffic (received + sent) in megabits a second that raises network_anomaly; 0: off. */
  networkMbps: number;
  /** Block I/O (read + write) in megabytes a second that raises resource_violation; 0: off. */
  diskMbps: number;
}

export const defaultMonitorSettings: MonitorSettings = {
  cpuPercent: 90,
  memoryPercent: 85,
  pidsPercent: 90,
  onBreach: 'notify',
  blockedPorts: defaultBlockedPorts,
  allowEngineSocket: false,
  processChecks: true,
  protectedPaths: [...defaultProtectedPaths],
  sustain: defaultSustain,
  networkMbps: 0,
  diskMbps: 0,
};
