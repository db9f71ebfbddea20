import * as assert from 'node:assert/strict';
import { connectionCountCommand, countConnections, formatConnections, isConnectionCountCommand } from '../../src/monitor/connections';
import { isOwnExec } from '../../src/workspace/lifetimes/sessions';

// As a box prints them: a listener on 8080, one loopback connection (both ends), a TIME_WAIT, an
// IPv6 listener, a bound UDP socket (state 07) and a connected one (01).
const output = [
  'net tcp',
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 20 4 30 10 -1',
  '   2: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0000000000000000 20 4 30 10 -1',
  '   3: 0100007F:A1B3 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000',
  'net tcp6',
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0',
  'net udp',
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  10: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5 2 0000000000000000 0',
  '  11: 0100007F:9C40 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 6 2 0000000000000000 0',
  'net udp6',
  '',
].join('\n');

describe('connection counts', () => {
  it('counts established, listening, opening-or-closing TCP sockets and UDP sockets of every family', () => {
    const counts = countConnections(output, 42);
    assert.deepEqual(counts, { established: 2, listening: 2, transient: 1, udp: 2, at: 42 });
    assert.equal(formatConnections(counts), '2 established, 2 listening, 1 opening or closing; 2 UDP');
  });

  it('an empty box, or one without IPv6 files, has none', () => {
    assert.deepEqual(countConnections('net tcp\n  sl  local_address\nnet tcp6\nnet udp\nnet udp6\n', 1), {
      established: 0,
      listening: 0,
      transient: 0,
      udp: 0,
      at: 1,
    });
  });

  it('rows before a section header, or with no state, count for nothing', () => {
    assert.equal(countConnections('   0: 0100007F:1F90 0100007F:A1B2 01\nnet tcp\n   1: 0100007F:1F90\n', 0).established, 0);
  });

  it("its exec is the monitor's own, not a session that keeps a workspace from being idle", () => {
    const line = connectionCountCommand.join(' ');
    assert.ok(isConnectionCountCommand(line));
    assert.ok(isOwnExec(line, undefined));
    assert.ok(!isOwnExec('sh -c cat /proc/net/tcp', undefined));
  });
});
