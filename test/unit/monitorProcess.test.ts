import * as assert from 'node:assert/strict';
import { parseProcessReport, parseProcNetTcp, processFindings } from '../../src/monitor/processChecks';

/**
 * Recorded on this engine: the check's script in a busybox container running as 1000:1000 with
 * `nc -l -p 8080` and `nc -l -p 18081`, and `docker exec -u 0 … sleep 200` (a root process).
 */
const recordedReport = [
  'self 18',
  'pid 1',
  'Name: docker-init ',
  'PPid: 0 ',
  'Uid: 1000 1000\t1000\t1000',
  'pid 10',
  'Name: nc ',
  'PPid: 8 ',
  'Uid: 1000 1000\t1000\t1000',
  'pid 11',
  'Name: nc ',
  'PPid: 8 ',
  'Uid: 1000 1000\t1000\t1000',
  'pid 12',
  'Name: sleep ',
  'PPid: 0 ',
  'Uid: 0 0\t0\t0',
  'pid 18',
  'Name: sh ',
  'PPid: 0 ',
  'Uid: 1000 1000\t1000\t1000',
  'pid 8',
  'Name: sleep ',
  'PPid: 1 ',
  'Uid: 1000 1000\t1000\t1000',
  'pid 9',
  'Name: nc ',
  'PPid: 8 ',
  'Uid: 1000 1000\t1000\t1000',
  'net tcp',
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     ',
  'net tcp6',
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000000000000:46A1 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 449968 1 00000000db3ac96e 100 0 0 10 0',
  '   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 449967 1 00000000876004eb 100 0 0 10 0',
  '',
].join('\n');

describe('process checks: parsing /proc from inside a workspace', () => {
  it("reads processes (without the check's own shell) and LISTEN sockets with hex ports", () => {
    const snapshot = parseProcessReport(recordedReport);
    assert.deepEqual(
      snapshot.processes.map((p) => p.pid).sort((a, b) => a - b),
      [1, 8, 9, 10, 11, 12],
    );
    assert.deepEqual(
      snapshot.processes.find((p) => p.pid === 12),
      { pid: 12, ppid: 0, name: 'sleep', uid: 0, euid: 0 },
    );
    assert.deepEqual(snapshot.listeners, [
      { family: 'tcp6', address: '::', port: 18081 },
      { family: 'tcp6', address: '::', port: 8080 },
    ]);
  });

  it('IPv4: little-endian address, only state 0A counts', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0',
      '   1: 0200A8C0:0016 0100A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1',
      '   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0',
    ].join('\n');
    assert.deepEqual(parseProcNetTcp(tcp, 'tcp'), [
      { family: 'tcp', address: '127.0.0.1', port: 3000 },
      { family: 'tcp', address: '0.0.0.0', port: 80 },
    ]);
  });

  it('strict: the root process is an error process_anomaly; listeners on blocked ports a network_anomaly', () => {
    const snapshot = parseProcessReport(recordedReport);
    const findings = processFindings(snapshot, { level: 'strict', blockedPorts: [22, 8080] });
    assert.deepEqual(
      findings.map((f) => [f.rule, f.type, f.severity, f.policyItem]),
      [
        ['process.root', 'process_anomaly', 'error', 'processes'],
        ['process.listeners', 'network_anomaly', 'warning', 'listeners'],
      ],
    );
    assert.match(findings[0]?.message ?? '', /1 process running as root.*sleep \(12\)/);
    assert.match(findings[1]?.message ?? '', /8080\/tcp6/);
    assert.doesNotMatch(findings[1]?.message ?? '', /18081/);
  });

  it('an exec being set up (runc:[2:INIT], still root) is no workload process, but marks the snapshot as settling', () => {
    const report = recordedReport.replace('net tcp\n', 'pid 14\nName: runc:[2:INIT] \nPPid: 0 \nUid: 0 0\t0\t0\nnet tcp\n');
    const snapshot = parseProcessReport(report);
    assert.equal(snapshot.settling, true);
    assert.equal(
      snapshot.processes.some((p) => p.pid === 14),
      false,
    );
    assert.equal(parseProcessReport(recordedReport).settling, false);
  });

  it('standard: root is how the level runs, so only listeners are reported', () => {
    const findings = processFindings(parseProcessReport(recordedReport), { level: 'standard', blockedPorts: [3000] });
    assert.deepEqual(findings, []);
  });
});
