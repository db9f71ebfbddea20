import { Disposable } from '../engine/emitter';
import { Alert, AlertChange, alertJson } from '../monitor/alerts';
import type { BreachResponseRecord } from '../monitor/breachResponse';
import type { Refusal } from '../monitor/egressRefusals';
import type { MonitoredWorkspace } from '../monitor/scope';
import { AuditType } from './record';
import { AuditEntry, AuditSink, auditWorkspace } from './sink';

/** A record of the monitor's, before the workspace and the actor are stamped on it. */
type MonitorEntry = Pick<AuditEntry, 'type' | 'atMs'> & Record<string, unknown>;

type Subscribe<T> = (listener: (value: T) => void) => Disposable;

/**
 * A box can make its own monitor records without end (a refused connect to a new address each
 * millisecond is a new alert and a new refusal): past this many records in a minute, a
 * workspace's further ones are counted, not written, and one audit.suppressed record says how
 * many of which type were left out. Keeps a flooding box from rotating the rest of the trail away.
 */
export const monitorRecordsPerMinute = 60;
const windowMs = 60_000;

interface Window {
  workspace: MonitoredWorkspace;
  startedAt: number;
  written: number;
  suppressed: Partial<Record<AuditType, number>>;
  timer?: NodeJS.Timeout;
}

/** The alert's own values (its workspace is the record's; its type is `alertType`, the record has one). */
function alertValues(alert: Alert): Record<string, unknown> {
  const { workspace: _name, workspaceId: _id, containerId: _container, type, ...values } = alertJson(alert);
  return { ...values, alertType: type };
}

/**
 * The monitor's records: alerts raised and cleared (an update of a live alert is not a new
 * event: its raise and its clear bound it), breach responses, refused egress attempts. Made
 * by SecurityMonitor when it is given a sink, so every front end's monitor records alike.
 */
export class MonitorAuditFeed implements Disposable {
  private readonly windows = new Map<string, Window>();
  private readonly subscriptions: Disposable[];
  /** Refusals the gateway logged before this monitor watched were recorded by whoever watched then (or by no one). */
  private readonly startedAt = Date.now();

  constructor(
    private readonly sink: AuditSink,
    sources: { alerts: Subscribe<AlertChange>; responses: Subscribe<BreachResponseRecord> },
  ) {
    this.subscriptions = [sources.alerts((change) => this.onAlert(change)), sources.responses((response) => this.onResponse(response))];
  }

  /** One refused attempt, as the gateway logged it (`attempts`: to that destination so far). */
  refused(workspace: MonitoredWorkspace, refusal: Refusal, attempts: number, atMs: number): void {
    if (atMs < this.startedAt) return;
    const { destination, port, protocol } = refusal;
    this.limited(workspace, { type: 'egress.blocked', atMs, destination, ...(port === undefined ? {} : { port }), protocol, attempts });
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    [...this.windows.values()].forEach((window) => this.endWindow(window));
  }

  private onAlert(change: AlertChange): void {
    const { alert } = change;
    if (change.kind === 'raised') this.limited(alert.workspace, { type: 'alert.raised', atMs: alert.detectedAt, ...alertValues(alert) });
    if (change.kind === 'cleared') this.limited(alert.workspace, { type: 'alert.cleared', ...alertValues(alert), heldMs: Date.now() - alert.detectedAt });
  }

  /** Never limited: one per alert per run of the box at most. */
  private onResponse(response: BreachResponseRecord): void {
    const { alert } = response;
    this.sink.record({
      type: 'breach.response',
      actor: 'monitor',
      workspace: auditWorkspace(alert.workspace),
      atMs: response.at,
      action: response.action,
      outcome: response.ok ? 'ok' : 'error',
      ...(response.error ? { error: response.error } : {}),
      rule: alert.rule,
      alertType: alert.type,
      severity: alert.severity,
      message: alert.message,
    });
  }

  private limited(workspace: MonitoredWorkspace, entry: MonitorEntry): void {
    const now = Date.now();
    let window = this.windows.get(workspace.containerId);
    if (!window || now - window.startedAt >= windowMs) {
      if (window) this.endWindow(window);
      window = { workspace, startedAt: now, written: 0, suppressed: {} };
      this.windows.set(workspace.containerId, window);
    }
    if (window.written < monitorRecordsPerMinute) {
      window.written++;
      this.sink.record({ ...entry, actor: 'monitor', workspace: auditWorkspace(workspace) });
      return;
    }
    window.suppressed[entry.type] = (window.suppressed[entry.type] ?? 0) + 1;
    // The count is written when the minute ends, also when nothing else comes from the box.
    const open = window;
    open.timer ??= setTimeout(() => this.endWindow(open), Math.max(0, open.startedAt + windowMs - now));
    open.timer.unref?.();
  }

  private endWindow(window: Window): void {
    clearTimeout(window.timer);
    if (this.windows.get(window.workspace.containerId) === window) this.windows.delete(window.workspace.containerId);
    if (Object.keys(window.suppressed).length === 0) return;
    this.sink.record({ type: 'audit.suppressed', actor: 'monitor', workspace: auditWorkspace(window.workspace), counts: window.suppressed, windowMs });
  }
}
