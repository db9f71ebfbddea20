import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MonitorAuditFeed } from '../../src/audit/monitorFeed';
import { AuditRecord } from '../../src/audit/record';
import {
  CurrentAlert,
  formatRecentCounts,
  formatSecuritySummary,
  recentSecurityRecords,
  securitySummary,
  securityWindowMs,
} from '../../src/audit/securitySummary';
import { localTime } from '../../src/audit/table';
import { AuditTrail } from '../../src/audit/trail';
import { Emitter } from '../../src/engine/emitter';
import { AlertStore } from '../../src/monitor/alerts';
import type { BreachResponseRecord } from '../../src/monitor/breachResponse';

const nowMs = Date.parse('2025-03-01T12:00:00.000Z');
const window = { sinceMs: nowMs - securityWindowMs, nowMs };
const hoursAgo = (hours: number): string => new Date(nowMs - hours * 3_600_000).toISOString();

const record = (type: AuditRecord['type'], at: string, values: Partial<AuditRecord> = {}): AuditRecord => ({
  at,
  type,
  actor: 'monitor',
  via: 'extension',
  pid: 1,
  engine: 'default',
  workspace: { name: 'alpha', id: 'a1' },
  ...values,
});

const alpha = { name: 'alpha', id: 'a1' };
const beta = { name: 'beta', id: 'b1' };

describe('security summary: the dashboard numbers (Security view, aicli-ws alerts --summary)', () => {
  it('counts the current alerts by severity and type, in total and per workspace', () => {
    const current: CurrentAlert[] = [
      { engine: 'default', workspace: alpha, severity: 'critical', type: 'security_breach' },
      { engine: 'default', workspace: alpha, severity: 'warning', type: 'resource_violation' },
      { engine: 'default', workspace: beta, severity: 'warning', type: 'network_anomaly' },
    ];
    const summary = securitySummary(current, [], window);
    assert.equal(summary.now.total, 3);
    assert.deepEqual(summary.now.bySeverity, { info: 0, warning: 2, error: 0, critical: 1 });
    assert.deepEqual(summary.now.byType, { resource_violation: 1, security_breach: 1, network_anomaly: 1, process_anomaly: 0 });
    assert.deepEqual(
      summary.workspaces.map((entry) => [entry.workspace.name, entry.now.total, entry.now.bySeverity.critical]),
      [
        ['alpha', 2, 1],
        ['beta', 1, 0],
      ],
    );
    assert.equal(summary.at, new Date(nowMs).toISOString());
  });

  it('counts what the trail recorded in the window: alerts raised, breach responses (failed ones too), refused egress', () => {
    const records = [
      record('alert.raised', hoursAgo(1), { severity: 'critical', alertType: 'security_breach' }),
      record('alert.raised', hoursAgo(2), { severity: 'warning', alertType: 'resource_violation' }),
      record('alert.cleared', hoursAgo(1), { severity: 'warning', alertType: 'resource_violation' }),
      record('breach.response', hoursAgo(1), { action: 'pause', outcome: 'ok' }),
      record('breach.response', hoursAgo(1), { action: 'stop', outcome: 'error', error: 'no answer' }),
      record('egress.blocked', hoursAgo(3), { destination: '1.2.3.4', attempts: 1 }),
      record('egress.blocked', hoursAgo(3), { destination: '1.2.3.4', attempts: 2 }),
      // A flooding box: counted, not written.
      record('audit.suppressed', hoursAgo(3), { counts: { 'egress.blocked': 40, 'alert.raised': 5 }, windowMs: 60_000 }),
      // Outside the window, or not a security record: not counted.
      record('alert.raised', hoursAgo(25), { severity: 'critical', alertType: 'security_breach' }),
      record('exec.end', hoursAgo(1), { exitCode: 0 }),
    ];
    const { recent } = securitySummary([], records, window);
    assert.equal(recent.alerts.total, 2);
    assert.deepEqual(recent.alerts.bySeverity, { info: 0, warning: 1, error: 0, critical: 1 });
    assert.equal(recent.alerts.byType.security_breach, 1);
    assert.deepEqual([recent.breachResponses, recent.failedResponses, recent.egressBlocked, recent.alertsLeftOut], [2, 1, 42, 5]);
    assert.equal(formatRecentCounts(recent), '7 alerts raised, 2 breach responses (1 failed), 42 egress attempts blocked');
  });

  it('keeps workspaces of two engines apart, and lists a removed one the trail still names', () => {
    const current: CurrentAlert[] = [
      { engine: 'default', workspace: alpha, severity: 'error', type: 'process_anomaly' },
      { engine: 'build-box', workspace: { name: 'alpha', id: 'x9' }, severity: 'info', type: 'resource_violation' },
    ];
    const records = [
      record('egress.blocked', hoursAgo(1), { workspace: { name: 'gone', id: 'g1' } }),
      record('egress.blocked', hoursAgo(1), { engine: undefined }),
    ];
    const summary = securitySummary(current, records, window);
    const rows = summary.workspaces.map((entry) => [entry.engine, entry.workspace.name, entry.now.total, entry.recent.egressBlocked]);
    // A record without an engine is the default engine's, as the reader takes it.
    assert.deepEqual(rows, [
      ['default', 'alpha', 1, 1],
      ['build-box', 'alpha', 1, 0],
      ['default', 'gone', 0, 1],
    ]);
  });

  it('counts a severity or type of a newer version in the total only', () => {
    const summary = securitySummary([], [record('alert.raised', hoursAgo(1), { severity: 'dire', alertType: 'future_thing' })], window);
    assert.equal(summary.recent.alerts.total, 1);
    assert.equal(
      Object.values(summary.recent.alerts.bySeverity).reduce((a, b) => a + b, 0),
      0,
    );
  });

  it('prints now, the last 24 h and a row per workspace for the CLI', () => {
    const summary = securitySummary(
      [{ engine: 'default', workspace: alpha, severity: 'warning', type: 'resource_violation' }],
      [record('alert.raised', hoursAgo(1), { severity: 'warning', alertType: 'resource_violation' }), record('egress.blocked', hoursAgo(1))],
      window,
    );
    const text = formatSecuritySummary(summary, 'unix:///engine.sock');
    const [now, day, , head, row] = text.split('\n');
    assert.equal(now, 'Now on unix:///engine.sock: 1 alert (1 warning; 1 resource_violation)');
    assert.equal(day, `Last 24 h (audit trail, since ${localTime(summary.since)}): 1 alert raised, 1 egress attempt blocked (1 warning; 1 resource_violation)`);
    assert.match(head!, /^WORKSPACE\s+NOW\s+RAISED IN 24 H\s+BREACH RESPONSES\s+EGRESS BLOCKED$/);
    assert.match(row!, /^alpha\s+1 warning\s+1 warning\s+0\s+1$/);
  });

  describe('from the monitor feed through the trail', () => {
    let directory: string;
    beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'aicli-summary-'))));
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('gives the same now-counts as the alert store and the 24 h counts of what the feed wrote', () => {
      const trail = new AuditTrail({ directory, via: 'extension', actor: 'user' });
      const store = new AlertStore();
      const responses = new Emitter<BreachResponseRecord>();
      const feed = new MonitorAuditFeed(trail.sink().forEngine('default'), { alerts: store.onDidChange, responses: responses.event });
      const workspace = { containerId: 'c1', id: 'a1', name: 'alpha', level: 'standard' as const };
      const base = { workspace, conditionAt: Date.now(), policyItem: 'memory' as const };
      store.raise({ ...base, rule: 'memory', type: 'resource_violation', severity: 'warning', message: 'memory at 90 %' });
      const breach = store.raise({
        ...base,
        rule: 'path',
        type: 'security_breach',
        severity: 'critical',
        message: 'made .git/hooks',
        policyItem: 'protectedPaths',
      });
      responses.fire({ alert: breach.alert, action: 'pause', ok: true, at: Date.now() });
      store.clear(breach.alert.key);
      feed.dispose();

      const current = store.list().map((alert) => ({ ...alert, engine: 'default', workspace: { name: alert.workspace.name, id: alert.workspace.id } }));
      const summary = securitySummary(current, recentSecurityRecords(trail, Date.now()), { sinceMs: Date.now() - securityWindowMs, nowMs: Date.now() });
      assert.deepEqual(summary.now, store.summary());
      assert.deepEqual([summary.recent.alerts.total, summary.recent.alerts.bySeverity.critical, summary.recent.breachResponses], [2, 1, 1]);
      assert.equal(summary.workspaces.length, 1);
    });
  });
});
