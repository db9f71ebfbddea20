// Waiting for a monitor's alerts: raised (or already there) and cleared.
import { Alert, alertKey, AlertStore } from '../../src/monitor/alerts';
import { waitFor } from './waits';

/** What the waits need of a SecurityMonitor. */
export interface AlertSource {
  readonly alerts: AlertStore;
}

/** Resolves with the container's alert of this rule once it is raised (or already is) and `matches` it. */
export function alertRaised(
  monitor: AlertSource,
  containerId: string,
  rule: string,
  options: { timeoutMs?: number; matches?: (alert: Alert) => boolean } = {},
): Promise<Alert> {
  const { timeoutMs = 20_000, matches = () => true } = options;
  const key = alertKey(containerId, rule);
  return waitFor<Alert>(`alert ${rule}`, timeoutMs, (resolve) => {
    const existing = monitor.alerts.get(key);
    if (existing && matches(existing)) {
      queueMicrotask(() => resolve(existing));
      return { dispose() {} };
    }
    return monitor.alerts.onDidChange((change) => {
      if (change.kind !== 'cleared' && change.alert.key === key && matches(change.alert)) resolve(change.alert);
    });
  });
}

/** Resolves with the time (Date.now()) the container's alert of this rule is cleared. */
export function alertCleared(monitor: AlertSource, containerId: string, rule: string, timeoutMs = 20_000): Promise<number> {
  const key = alertKey(containerId, rule);
  return waitFor<number>(`clear of ${rule}`, timeoutMs, (resolve) =>
    monitor.alerts.onDidChange((change) => {
      if (change.kind === 'cleared' && change.alert.key === key) resolve(Date.now());
    }),
  );
}
