import * as assert from 'node:assert/strict';
import { alertKey, AlertStore } from '../../src/monitor/alerts';
import { RateRules, ratesBetween } from '../../src/monitor/rateRules';
import { defaultMonitorSettings, MonitorSettings } from '../../src/monitor/settings';
import { StatsSnapshot } from '../../src/monitor/stats';

const workspace = { containerId: 'c1', id: 'w1', name: 'shop', level: 'standard' as const };
const snapshot = (second: number, network: number, disk: number): StatsSnapshot => ({
  readAt: second * 1000,
  cpuPercent: 1,
  onlineCpus: 2,
  cpuLimitCores: 1,
  cpuPercentOfLimit: 1,
  memoryUsedBytes: 1,
  memoryLimitBytes: 2,
  memoryPercent: 50,
  pids: 1,
  pidsLimit: 100,
  pidsPercent: 1,
  networkRxBytes: network / 2,
  networkTxBytes: network / 2,
  networkRxPackets: 0,
  networkTxPackets: 0,
  blockReadBytes: 0,
  blockWriteBytes: disk,
});

/** Feeds cumulative byte counts, one sample a second; the alerts the rules left in the store. */
function run(settings: Partial<MonitorSettings>, samples: [number, number][]): AlertStore {
  const alerts = new AlertStore();
  const rules = new RateRules(
    alerts,
    (input) => void alerts.raise(input),
    () => ({ ...defaultMonitorSettings, ...settings }),
  );
  samples.forEach(([network, disk], second) => rules.onSample(workspace, snapshot(second, network, disk)));
  return alerts;
}

const mbit = 1e6 / 8; // bytes a second in one megabit a second

describe('network and disk rate thresholds (aicli.monitor.networkMbps / diskMbps)', () => {
  it('rates come from consecutive counters; none for the first sample or a counter that went back', () => {
    assert.deepEqual(ratesBetween(undefined, { at: 1000, network: 10, disk: 0 }), {});
    assert.deepEqual(ratesBetween({ at: 0, network: 0, disk: 0 }, { at: 2000, network: 4000, disk: 1000 }), { network: 2000, disk: 500 });
    assert.equal(ratesBetween({ at: 0, network: 900, disk: 0 }, { at: 1000, network: 100, disk: 0 }).network, undefined);
  });

  it('off by default: any traffic raises nothing', () => {
    const alerts = run(
      {},
      [0, 1, 2, 3, 4].map((s) => [s * 100 * mbit, s * 500e6]),
    );
    assert.equal(alerts.list().length, 0);
  });

  it('sustained traffic over the line raises network_anomaly, a one-second burst does not, and it clears below', () => {
    const burst = run({ networkMbps: 10 }, [
      [0, 0],
      [50 * mbit, 0],
      [51 * mbit, 0],
      [52 * mbit, 0],
    ]);
    assert.equal(burst.list().length, 0, 'one second at 50 Mbit/s is a burst');
    const counters = [0, 20, 40, 60].map((mb): [number, number] => [mb * mbit, 0]);
    const busy = run({ networkMbps: 10 }, counters);
    const alert = busy.get(alertKey('c1', 'network.rate'));
    assert.equal(alert?.type, 'network_anomaly');
    assert.equal(alert?.policyItem, 'networkRate');
    assert.match(alert?.message ?? '', /Network traffic is at 20\.0 Mbit\/s \(received \+ sent; threshold 10 Mbit\/s, aicli\.monitor\.networkMbps\)/);
    const quiet = run({ networkMbps: 10 }, [...counters, ...[1, 2, 3, 4].map((s): [number, number] => [60 * mbit + s * mbit, 0])]);
    assert.equal(quiet.get(alertKey('c1', 'network.rate')), undefined, 'cleared after three seconds at 1 Mbit/s');
  });

  it('disk I/O over diskMbps raises resource_violation on the diskRate line', () => {
    const alerts = run(
      { diskMbps: 50 },
      [0, 100e6, 200e6, 300e6].map((bytes): [number, number] => [0, bytes]),
    );
    const alert = alerts.get(alertKey('c1', 'disk.rate'));
    assert.equal(alert?.type, 'resource_violation');
    assert.equal(alert?.policyItem, 'diskRate');
    assert.match(alert?.message ?? '', /Disk I\/O is at 100\.0 megabytes a second \(read \+ write; threshold 50, aicli\.monitor\.diskMbps\)/);
  });
});
