import * as vscode from 'vscode';
import { AuditRecord } from '../../audit/record';
import { recentSecurityRecords, SecuritySummary, securitySummary, securityWindowMs } from '../../audit/securitySummary';
import { errorText } from '../../audit/sink';
import { AuditTrail } from '../../audit/trail';
import { localTime } from '../../audit/table';
import { Disposable } from '../../engine/emitter';
import { UiEngineScopes } from '../scopes';
import { childrenOf, EngineAlert, periodNodes, securityItem, SecurityNode } from './securityNodes';

export interface SecurityViewOptions {
  /** How long a burst of alert changes is gathered before the view is redrawn. */
  debounceMs?: number;
  /** The trail is read at most this often while alerts keep changing (a flooding box updates its egress alert per attempt). */
  trailReadIntervalMs?: number;
  log?: Pick<vscode.LogOutputChannel, 'warn'>;
}

/**
 * The Security view: the current alerts of every engine's monitor (by severity, by type, per
 * workspace) and what the audit trail holds for the last 24 hours. Driven by the monitors'
 * alert changes and breach responses, gathered for a moment; while the view is hidden nothing
 * is read, and it catches up when shown. The trail has no change event (other processes write
 * it too), so records that come without an alert change show on the next change, on show or
 * on Refresh.
 */
export class SecurityTreeProvider implements vscode.TreeDataProvider<SecurityNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<SecurityNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly refreshEmitter = new vscode.EventEmitter<SecuritySummary>();
  /** After each recount: the view's "updated" line and the tests hear it. */
  readonly onDidRefresh = this.refreshEmitter.event;
  private current: EngineAlert[] = [];
  private records: AuditRecord[] = [];
  private summaryValue: SecuritySummary;
  private visible = false;
  private stale = true;
  private trailReadAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private scopeSubscriptions: Disposable[] = [];
  private readonly scopesSubscription: Disposable;

  constructor(
    private readonly scopes: UiEngineScopes,
    private readonly trail: Pick<AuditTrail, 'read'>,
    private readonly options: SecurityViewOptions = {},
  ) {
    this.summaryValue = securitySummary([], [], { sinceMs: Date.now() - securityWindowMs, nowMs: Date.now() });
    this.watchScopes();
    // Engines come and go with the settings: each scope has its own monitor.
    this.scopesSubscription = scopes.onDidChange(() => {
      this.watchScopes();
      this.changed();
    });
  }

  get summary(): SecuritySummary {
    return this.summaryValue;
  }

  /**
   * Called by the view's visibility: shown, it recounts what changed while it was hidden — soon,
   * not at once: a view open at startup must not read the trail inside activate().
   */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.stale) this.changed();
  }

  /** Reads the alerts and the trail now (the Refresh button, a show after changes). */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stale = false;
    const nowMs = Date.now();
    this.current = this.scopes.all.flatMap((scope) => scope.monitor.alerts.list().map((alert) => ({ engine: scope.name, alert })));
    try {
      this.records = recentSecurityRecords(this.trail, nowMs);
    } catch (err) {
      // The last counts stay; the next change or Refresh tries again.
      this.options.log?.warn(`Security view: cannot read the audit trail: ${errorText(err)}`);
    }
    this.trailReadAt = Date.now();
    const current = this.current.map(({ engine, alert }) => ({
      engine,
      workspace: { name: alert.workspace.name, id: alert.workspace.id },
      severity: alert.severity,
      type: alert.type,
    }));
    this.summaryValue = securitySummary(current, this.records, { sinceMs: nowMs - securityWindowMs, nowMs });
    this.changeEmitter.fire([periodNodes.now, periodNodes.recent]);
    this.refreshEmitter.fire(this.summaryValue);
  }

  /** "updated 14:03:21": the view's description. */
  updatedText(): string {
    return `updated ${localTime(this.summaryValue.at).slice(11)}`;
  }

  getTreeItem(node: SecurityNode): vscode.TreeItem {
    return securityItem(node, this.summaryValue, childrenOf(node, this.summaryValue, this.current).length > 0);
  }

  getChildren(node?: SecurityNode): SecurityNode[] {
    if (!node) return [periodNodes.now, periodNodes.recent];
    return childrenOf(node, this.summaryValue, this.current);
  }

  private watchScopes(): void {
    this.scopeSubscriptions.forEach((subscription) => subscription.dispose());
    this.scopeSubscriptions = this.scopes.all.flatMap((scope) => [
      scope.monitor.alerts.onDidChange(() => this.changed()),
      scope.monitor.onDidRespond(() => this.changed()),
    ]);
  }

  private changed(): void {
    this.stale = true;
    if (!this.visible || this.timer) return;
    const debounceMs = this.options.debounceMs ?? 250;
    const nextRead = this.trailReadAt + (this.options.trailReadIntervalMs ?? 2000) - Date.now();
    this.timer = setTimeout(() => this.refresh(), Math.max(debounceMs, nextRead));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.scopeSubscriptions.forEach((subscription) => subscription.dispose());
    this.scopesSubscription.dispose();
    this.changeEmitter.dispose();
    this.refreshEmitter.dispose();
  }
}
