import { AlertInput, AlertStore, alertKey } from './alerts';
import { MonitoredWorkspace } from './scope';
import { MonitorSettings } from './settings';
import { StatsSnapshot } from './stats';
import { initialThresholdState, stepThreshold, ThresholdState } from './thresholds';

/** The two rate rules: network (rx + tx, megabits a second) and disk (read + write, megabytes a second). */
export type RateRule = 'network.rate' | 'disk.rate';
export const rateRules: readonly RateRule[] = ['network.rate', 'disk.rate'];

interface Counters {
  at: number;
  network: number;
  disk: number;
}

interface RateState {
  previous?: Counters;
  thresholds: Record<RateRule, ThresholdState>;
}

/** Per second between two samples; undefined when there is no earlier one or a counter went back (a restart). */
export function ratesBetween(previous: Counters | undefined, current: Counters): { network?: number; disk?: number } {
  if (!previous || current.at <= previous.at) return {};
  const seconds = (current.at - previous.at) / 1000;
  const per = (now: number, before: number): number | undefined => (now >= before ? (now - before) / seconds : undefined);
  return { network: per(current.network, previous.network), disk: per(current.disk, previous.disk) };
}

const describe = (rule: RateRule, value: number, threshold: number): Pick<AlertInput, 'type' | 'severity' | 'policyItem' | 'message'> =>
  rule === 'network.rate'
    ? {
        type: 'network_anomaly',
        severity: 'warning',
        policyItem: 'networkRate',
        message: `Network traffic is at ${value.toFixed(1)} Mbit/s (received + sent; threshold ${threshold} Mbit/s, aicli.monitor.networkMbps): is it sending more than it should?`,
      }
    : {
        type: 'resource_violation',
        severity: 'warning',
        policyItem: 'diskRate',
        // Decimal megabytes, the unit the setting is in (not formatBytes' binary MiB).
        message: `Disk I/O is at ${value.toFixed(1)} megabytes a second (read + write; threshold ${threshold}, aicli.monitor.diskMbps).`,
      };

/**
 * Network and disk rates from the byte counters of consecutive stats samples (no extra engine
 * request), with the same sustain and hysteresis as the other thresholds (10 % of the
 * threshold below it clears). Off (0) by default: what is normal depends on the project.
 */
export class RateRules {
  private readonly states = new Map<string, RateState>();

  constructor(
    private readonly alerts: AlertStore,
    private readonly raise: (input: AlertInput) => void,
    private readonly settings: () => MonitorSettings,
  ) {}

  onSample(workspace: MonitoredWorkspace, snapshot: StatsSnapshot): void {
    const settings = this.settings();
    const counters = {
      at: snapshot.readAt,
      network: snapshot.networkRxBytes + snapshot.networkTxBytes,
      disk: snapshot.blockReadBytes + snapshot.blockWriteBytes,
    };
    let state = this.states.get(workspace.containerId);
    if (!state) this.states.set(workspace.containerId, (state = { thresholds: { 'network.rate': initialThresholdState, 'disk.rate': initialThresholdState } }));
    const rates = ratesBetween(state.previous, counters);
    state.previous = counters;
    const values: Record<RateRule, number | undefined> = {
      'network.rate': rates.network === undefined ? undefined : (rates.network * 8) / 1e6,
      'disk.rate': rates.disk === undefined ? undefined : rates.disk / 1e6,
    };
    const thresholds: Record<RateRule, number> = { 'network.rate': settings.networkMbps, 'disk.rate': settings.diskMbps };
    for (const rule of rateRules) {
      if (!(thresholds[rule] > 0)) {
        state.thresholds[rule] = initialThresholdState;
        continue;
      }
      // Unlike CPU, not the averaged-sample rule: a one-second burst (a package download) is normal;
      // two seconds over the line is traffic that lasts.
      const threshold = { ...settings.sustain, threshold: thresholds[rule], hysteresis: thresholds[rule] * 0.1 };
      const step = stepThreshold(state.thresholds[rule], values[rule], snapshot.readAt, threshold);
      state.thresholds[rule] = step.state;
      if (step.transition?.kind === 'clear') this.alerts.clear(alertKey(workspace.containerId, rule));
      if (step.transition?.kind === 'raise') {
        this.raise({ workspace, rule, conditionAt: step.transition.conditionAt, ...describe(rule, step.transition.value, thresholds[rule]) });
      }
    }
  }

  forget(containerId: string): void {
    this.states.delete(containerId);
  }
}
