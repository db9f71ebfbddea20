import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JsonLineParser } from '../../src/engine/jsonLines';
import { blockIoTotals, cpuLimitFromHostConfig, cpuPercent, EngineStatsSample, memoryUsedBytes, statsSnapshot } from '../../src/monitor/stats';
import { repoRoot } from '../support/paths';

const fixtures = resolve(repoRoot, 'test', 'fixtures', 'stats');
const text = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const sample = (name: string): EngineStatsSample => JSON.parse(text(name)) as EngineStatsSample;

const close = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
};

describe('stats formulas on samples recorded from this engine (cgroup v1)', () => {
  it('busy workspace (0.5 CPUs, 64 MiB, 50 pids): CPU, memory without inactive file, pids', () => {
    const busy = sample('v1-busy.json');
    // (2501508130 − 2046725973) / (7304860000000 − 7302700000000) × 2 online × 100
    close(cpuPercent(busy), (454782157 / 2160000000) * 2 * 100, 'cpu %');
    // usage 22917120 − total_inactive_file 20971520 (the 20 MiB file written to /tmp is page cache)
    assert.equal(memoryUsedBytes(busy), 1945600);
    const snapshot = statsSnapshot(busy, cpuLimitFromHostConfig({ CpuQuota: 50000, CpuPeriod: 100000 }));
    assert.equal(snapshot.onlineCpus, 2);
    assert.equal(snapshot.cpuLimitCores, 0.5);
    close(snapshot.cpuPercentOfLimit, (454782157 / 2160000000) * 2 * 100 * 2, 'cpu % of quota');
    assert.equal(snapshot.memoryLimitBytes, 64 * 1024 * 1024);
    close(snapshot.memoryPercent, (1945600 / 67108864) * 100, 'memory %');
    assert.equal(snapshot.pids, 8);
    assert.equal(snapshot.pidsLimit, 50);
    assert.equal(snapshot.pidsPercent, 16);
    assert.equal(snapshot.networkRxBytes, 1042);
    assert.equal(snapshot.networkTxBytes, 0);
    assert.equal(snapshot.networkRxPackets, 11);
    assert.equal(snapshot.readAt, Date.parse('2026-11-25T12:43:41.715035952Z'));
  });

  it('uses total_inactive_file on v1, not the cache counter (which would also drop tmpfs and active file pages)', () => {
    const busy = sample('v1-busy.json');
    const stats = busy.memory_stats?.stats as Record<string, number>;
    assert.notEqual(stats.cache, stats.total_inactive_file, 'the fixture tells the two apart');
    assert.equal(memoryUsedBytes(busy), (busy.memory_stats?.usage as number) - (stats.total_inactive_file as number));
  });

  it('idle workspace: small CPU, the rest of the fields present', () => {
    const snapshot = statsSnapshot(sample('v1-idle.json'), 1);
    assert.ok(snapshot.cpuPercent !== undefined && snapshot.cpuPercent < 5, `idle cpu ${snapshot.cpuPercent}`);
    assert.ok(snapshot.memoryUsedBytes > 0 && snapshot.memoryUsedBytes < snapshot.memoryLimitBytes!);
    assert.equal(snapshot.pidsLimit, 50);
  });

  it('the first sample of a stream has no previous reading: no CPU % instead of a lifetime average', () => {
    const first = JSON.parse(text('v1-stream.ndjson').split('\n')[0] as string) as EngineStatsSample;
    assert.equal(first.preread, '0001-01-01T00:00:00Z');
    assert.equal(cpuPercent(first), undefined);
    assert.equal(statsSnapshot(first).cpuPercentOfLimit, undefined);
  });

  it('block I/O: this engine reports empty blkio arrays (no per-device accounting here); v1 "Read"/"Write" entries sum', () => {
    assert.deepEqual(blockIoTotals(sample('v1-io.json')), { readBytes: 0, writeBytes: 0 });
    const withDevices: EngineStatsSample = {
      ...sample('v1-io.json'),
      blkio_stats: {
        io_service_bytes_recursive: [
          { major: 8, minor: 0, op: 'Read', value: 1000 },
          { major: 8, minor: 0, op: 'Write', value: 300 },
          { major: 8, minor: 0, op: 'Sync', value: 1300 },
          { major: 8, minor: 0, op: 'Total', value: 1300 },
          { major: 8, minor: 16, op: 'Read', value: 24 },
        ],
      },
    };
    assert.deepEqual(blockIoTotals(withDevices), { readBytes: 1024, writeBytes: 300 });
  });
});

describe('stats formulas on a hand-written cgroup v2 sample', () => {
  const v2 = sample('v2-handwritten.json');

  it('online_cpus without percpu_usage, inactive_file, lower-case blkio ops, several networks', () => {
    const snapshot = statsSnapshot(v2);
    close(snapshot.cpuPercent, 120, 'cpu %');
    assert.equal(snapshot.onlineCpus, 4);
    assert.equal(snapshot.cpuLimitCores, 4);
    close(snapshot.cpuPercentOfLimit, 30, 'cpu % of all CPUs');
    assert.equal(snapshot.memoryUsedBytes, 192 * 1024 * 1024);
    assert.equal(snapshot.memoryPercent, 37.5);
    assert.equal(snapshot.pidsPercent, 37);
    assert.equal(snapshot.networkRxBytes, 2000);
    assert.equal(snapshot.networkTxBytes, 1000);
    assert.equal(snapshot.networkRxPackets, 16);
    assert.equal(snapshot.networkTxPackets, 11);
    assert.equal(snapshot.blockReadBytes, 4100000);
    assert.equal(snapshot.blockWriteBytes, 1048576);
  });

  it('with a 1.5 CPU quota (NanoCpus) the same sample is 80 % of the allowance', () => {
    close(statsSnapshot(v2, cpuLimitFromHostConfig({ NanoCpus: 1.5e9 })).cpuPercentOfLimit, 80, 'cpu % of quota');
  });
});

describe('stats edge cases', () => {
  it('percpu length counts CPUs when online_cpus is missing (old engines)', () => {
    const busy = sample('v1-busy.json');
    const old = { ...busy, cpu_stats: { ...busy.cpu_stats, online_cpus: undefined } };
    close(cpuPercent(old), cpuPercent(busy) as number, 'cpu %');
  });

  it('unlimited pids (absent or max uint64) and no quota give no percentages, not zero limits', () => {
    const busy = sample('v1-busy.json');
    // Max uint64 as the engine writes it; JSON.parse rounds it to the same double this literal is.
    // eslint-disable-next-line no-loss-of-precision
    const unlimited = { ...busy, pids_stats: { current: 3, limit: 18446744073709551615 } };
    assert.equal(statsSnapshot(unlimited).pidsLimit, undefined);
    assert.equal(statsSnapshot(unlimited).pidsPercent, undefined);
    assert.equal(statsSnapshot({ ...busy, pids_stats: { current: 3 } }).pidsPercent, undefined);
    assert.equal(cpuLimitFromHostConfig({ NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0 }), undefined);
    assert.equal(cpuLimitFromHostConfig({ CpuQuota: 25000 }), 0.25);
  });

  it('inactive file above usage (reclaim race) leaves usage as it is', () => {
    assert.equal(memoryUsedBytes({ read: '', memory_stats: { usage: 100, stats: { inactive_file: 200 } } }), 100);
  });
});

describe('JsonLineParser on the recorded stats stream', () => {
  const stream = Buffer.from(text('v1-stream.ndjson'));

  it('parses every split point of the raw body into the same three samples', () => {
    const whole = new JsonLineParser<EngineStatsSample>().push(stream);
    assert.equal(whole.length, 3);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const parser = new JsonLineParser<EngineStatsSample>();
      const parsed = [...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))];
      assert.deepEqual(
        parsed.map((s) => s.read),
        whole.map((s) => s.read),
      );
    }
  });

  it('keeps multi-byte characters split across chunks and skips garbage lines', () => {
    const parser = new JsonLineParser<{ name: string }>();
    const bytes = Buffer.from('{"name":"wörk"}\nnot json\n');
    const at = bytes.indexOf(0xc3) + 1;
    const parsed = [...parser.push(bytes.subarray(0, at)), ...parser.push(bytes.subarray(at))];
    assert.deepEqual(parsed, [{ name: 'wörk' }]);
    assert.equal(parser.skipped, 1);
  });
});
