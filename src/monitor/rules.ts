import { formatBytes } from '../engine/bytes';
import { AlertInput, alertKey, AlertSeverity, AlertStore, PolicyItem } from './alerts';
import { AuditFinding } from './audit';
import { RateRules } from './rateRules';
import { MonitoredWorkspace } from './scope';
import { MonitorSettings } from './settings';
import { StatsSnapshot } from './stats';
import { averagedSampleRule, initialThresholdState, stepThreshold, ThresholdState } from './thresholds';

export type Metric = 'cpu' | 'memory' | 'pids';
export const metrics: readonly Metric[] = ['cpu', 'memory', 'pids'];

const size = (bytes: number | undefined): string => (bytes === undefined ? '?' : formatBytes(bytes));
const pct = (value: number | undefined): string => `${Math.round(value ?? 0)} %`;

function metricValue(metric: Metric, snapshot: StatsSnapshot): number | undefined {
  if (metric === 'cpu') return snapshot.cpuPercentOfLimit;
  if (metric === 'memory') return snapshot.memoryPercent;
  return snapshot.pidsPercent;
}

function metricAlert(metric: Metric, snapshot: StatsSnapshot, threshold: number): Pick<AlertInput, 'severity' | 'message' | 'policyItem'> {
  const value = metricValue(metric, snapshot) ?? 0;
  if (metric === 'cpu') {
    const cores = snapshot.cpuLimitCores;
    const quota = cores < snapshot.onlineCpus;
    return {
      policyItem: 'cpu' as PolicyItem,
      severity: 'warning',
      message: `CPU use is at ${pct(value)} of the ${cores} CPU${cores === 1 ? '' : 's'} ${quota ? 'the workspace may use' : 'of the engine'} (threshold ${threshold} %)${quota ? '; it is being throttled' : ''}.`,
    };
  }
  if (metric === 'memory') {
    return {
      policyItem: 'memory',
      severity: value >= 98 ? 'error' : 'warning',
      message: `Memory use is at ${pct(value)} of the ${size(snapshot.memoryLimitBytes)} limit (${size(snapshot.memoryUsedBytes)} without page cache; threshold ${threshold} %)${value >= 98 ? ': the next allocation may be OOM-killed' : ''}.`,
    };
  }
  // Within 5 % of the limit the next few forks fail: that is a workspace in trouble, not a warning.
  const nearLimit = value >= 95;
  return {
    policyItem: 'pids',
    severity: nearLimit ? 'error' : 'warning',
    message: `${snapshot.pids} of ${snapshot.pidsLimit ?? '?'} processes/threads in use (${pct(value)}, threshold ${threshold} %)${nearLimit ? ': new processes are about to fail to start (a fork bomb?)' : ''}.`,
  };
}

interface SampleState {
  thresholds: Record<Metric, ThresholdState>;
  severity: Partial<Record<Metric, AlertSeverity>>;
  /** Process count the last check was based on, and a new value seen once (needs a second sample). */
  pidsBaseline?: number;
  pidsCandidate?: number;
}

const initialSampleState = (): SampleState => ({
  thresholds: { cpu: initialThresholdState, memory: initialThresholdState, pids: initialThresholdState },
  severity: {},
});

/**
 * The rules that turn what the monitor reads into alerts in its store: the resource
 * thresholds on stats samples (with sustain and hysteresis), findings of a rule family
 * (audit, process checks) with the family's other rules cleared, and rules cleared when a
 * container's state makes them moot. Plain data in, alerts out; no engine.
 */
export class MonitorRules {
  private readonly samples = new Map<string, SampleState>();
  private readonly rates: RateRules;

  constructor(
    private readonly alerts: AlertStore,
    private readonly raise: (input: AlertInput) => void,
    private readonly settings: () => MonitorSettings,
  ) {
    this.rates = new RateRules(alerts, raise, settings);
  }

  /** Steps the thresholds on one sample; true when the process count changed (time for a process check). */
  onSample(workspace: MonitoredWorkspace, snapshot: StatsSnapshot): boolean {
    let state = this.samples.get(workspace.containerId);
    if (!state) this.samples.set(workspace.containerId, (state = initialSampleState()));
    const settings = this.settings();
    const thresholds: Record<Metric, number> = { cpu: settings.cpuPercent, memory: settings.memoryPercent, pids: settings.pidsPercent };
    for (const metric of metrics) {
      const rule = { ...settings.sustain, threshold: thresholds[metric] };
      const step = stepThreshold(state.thresholds[metric], metricValue(metric, snapshot), snapshot.readAt, metric === 'cpu' ? averagedSampleRule(rule) : rule);
      state.thresholds[metric] = step.state;
      if (step.transition?.kind === 'clear') {
        state.severity[metric] = undefined;
        this.alerts.clear(alertKey(workspace.containerId, metric));
      } else if (step.state.active) {
        const described = metricAlert(metric, snapshot, thresholds[metric]);
        // Raise on the transition; afterwards only when the severity changes, not every second.
        if (step.transition?.kind === 'raise' || described.severity !== state.severity[metric]) {
          state.severity[metric] = described.severity;
          this.raise({ workspace, rule: metric, type: 'resource_violation', conditionAt: step.state.conditionAt ?? snapshot.readAt, ...described });
        }
      }
    }
    this.rates.onSample(workspace, snapshot);
    return pidsChanged(state, snapshot.pids);
  }

  /** Raises what a rule family found and clears the rules of that family that found nothing. */
  apply(workspace: MonitoredWorkspace, findings: AuditFinding[], family: readonly string[], conditionAt: number): void {
    const found = new Set(findings.map((finding) => finding.rule));
    for (const rule of family) if (!found.has(rule)) this.alerts.clear(alertKey(workspace.containerId, rule));
    for (const finding of findings) this.raise({ ...finding, workspace, conditionAt });
  }

  /** Clears these rules' alerts; clearing the metrics also starts their thresholds over. */
  clear(containerId: string, rules: readonly string[]): void {
    for (const rule of rules) this.alerts.clear(alertKey(containerId, rule));
    if (rules.includes('cpu')) this.resetThresholds(containerId);
  }

  /** The thresholds and the process count start over (the stats stream ended, or the container stopped). */
  resetThresholds(containerId: string): void {
    this.samples.delete(containerId);
    this.rates.forget(containerId);
  }

  /** A new run of the container: its first process count is the new baseline. */
  started(containerId: string): void {
    const state = this.samples.get(containerId);
    if (state) state.pidsBaseline = undefined;
  }

  forget(containerId: string): void {
    this.samples.delete(containerId);
    this.rates.forget(containerId);
  }
}

/** A new process count seen on two samples in a row (see processChecks.ts). */
function pidsChanged(state: SampleState, pids: number): boolean {
  if (state.pidsBaseline === undefined) {
    state.pidsBaseline = pids;
    return false;
  }
  if (pids === state.pidsBaseline) {
    state.pidsCandidate = undefined;
  } else if (pids === state.pidsCandidate) {
    state.pidsBaseline = pids;
    state.pidsCandidate = undefined;
    return true;
  } else {
    state.pidsCandidate = pids;
  }
  return false;
}
