import * as assert from 'node:assert/strict';
import { AlertChange, AlertInput, AlertStore, formatSummary } from '../../src/monitor/alerts';

const workspace = { containerId: 'c1', id: 'w1', name: 'one', level: 'standard' as const };
const other = { containerId: 'c2', id: 'w2', name: 'two', level: 'strict' as const };

function input(overrides: Partial<AlertInput> = {}): AlertInput {
  return { workspace, rule: 'memory', type: 'resource_violation', severity: 'warning', policyItem: 'memory', message: 'over', conditionAt: 100, ...overrides };
}

describe('AlertStore', () => {
  it('raises once, stays silent on repeats, updates on change keeping the first detection, clears', () => {
    let now = 1000;
    const store = new AlertStore(() => now);
    const changes: AlertChange[] = [];
    store.onDidChange((change) => changes.push(change));
    assert.equal(store.raise(input()).change, 'raised');
    now = 2000;
    assert.equal(store.raise(input()).change, undefined);
    now = 3000;
    const { alert, change } = store.raise(input({ severity: 'error', message: 'way over', conditionAt: 2500 }));
    assert.equal(change, 'updated');
    assert.equal(alert.detectedAt, 1000);
    assert.equal(alert.conditionAt, 100);
    assert.equal(alert.updatedAt, 3000);
    assert.equal(alert.key, 'c1/memory');
    assert.equal(store.clear('c1/memory')?.severity, 'error');
    assert.equal(store.clear('c1/memory'), undefined);
    assert.deepEqual(
      changes.map((c) => c.kind),
      ['raised', 'updated', 'cleared'],
    );
  });

  it('lists most severe first and summarises by severity and type', () => {
    const store = new AlertStore();
    store.raise(input());
    store.raise(input({ rule: 'audit.engineSocket', type: 'security_breach', severity: 'critical', policyItem: 'engineSocket' }));
    store.raise(input({ workspace: other, rule: 'process.listeners', type: 'network_anomaly', severity: 'warning', policyItem: 'listeners' }));
    assert.deepEqual(
      store.list().map((a) => a.rule),
      ['audit.engineSocket', 'memory', 'process.listeners'],
    );
    const summary = store.summary();
    assert.equal(summary.total, 3);
    assert.deepEqual(summary.bySeverity, { info: 0, warning: 2, error: 0, critical: 1 });
    assert.deepEqual(summary.byType, { resource_violation: 1, security_breach: 1, network_anomaly: 1, process_anomaly: 0 });
    assert.equal(formatSummary(summary), '1 critical, 2 warning');
    assert.equal(store.summary((a) => a.workspace.containerId === 'c2').total, 1);
    assert.equal(store.clearWorkspace('c1').length, 2);
    assert.equal(store.list().length, 1);
    assert.equal(formatSummary(new AlertStore().summary()), 'no alerts');
  });
});
