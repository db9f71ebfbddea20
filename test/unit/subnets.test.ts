import * as assert from 'node:assert/strict';
import { intToIpv4, ipv4ToInt, overlaps, parseCidr, SubnetLease, SubnetPool } from '../../src/isolation/subnets';

const exhausted = 'No free /24 subnet left in 172.20.0.0/14: remove unused workspaces or networks.';

describe('ipv4ToInt / intToIpv4', () => {
  it('round-trips addresses, including the top bit', () => {
    for (const ip of ['0.0.0.0', '10.0.0.1', '172.20.0.0', '192.168.255.255', '255.255.255.255']) assert.equal(intToIpv4(ipv4ToInt(ip)), ip);
    assert.equal(ipv4ToInt('255.255.255.255'), 0xffffffff);
    assert.equal(ipv4ToInt('172.20.0.0'), 0xac140000);
  });

  it('refuses malformed addresses', () => {
    for (const ip of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-1', 'a.b.c.d', '1.2.3.4.']) {
      assert.throws(() => ipv4ToInt(ip), { message: `bad IPv4 address ${ip}` });
    }
  });
});

describe('parseCidr / overlaps', () => {
  it('masks the address to the network', () => {
    assert.deepEqual(parseCidr('172.20.0.0/24'), { start: ipv4ToInt('172.20.0.0'), end: ipv4ToInt('172.20.0.255') });
    assert.deepEqual(parseCidr('10.1.2.3/8'), { start: ipv4ToInt('10.0.0.0'), end: ipv4ToInt('10.255.255.255') });
    assert.deepEqual(parseCidr('192.168.1.77/32'), { start: ipv4ToInt('192.168.1.77'), end: ipv4ToInt('192.168.1.77') });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { start: 0, end: 0xffffffff });
    assert.deepEqual(parseCidr('200.0.0.0/1'), { start: ipv4ToInt('128.0.0.0'), end: 0xffffffff });
  });

  it('returns undefined for IPv6 and for strings without a prefix length', () => {
    assert.equal(parseCidr('fd00::/64'), undefined);
    assert.equal(parseCidr('2001:db8::/32'), undefined);
    assert.equal(parseCidr('10.0.0.0'), undefined);
    assert.equal(parseCidr(''), undefined);
    assert.equal(parseCidr('/24'), undefined);
  });

  it('detects overlap, containment and adjacency correctly', () => {
    const c = (cidr: string) => parseCidr(cidr)!;
    assert.equal(overlaps(c('172.20.0.0/24'), c('172.20.0.128/25')), true);
    assert.equal(overlaps(c('172.20.0.0/16'), c('172.20.5.0/24')), true);
    assert.equal(overlaps(c('172.20.5.0/24'), c('172.20.0.0/16')), true);
    assert.equal(overlaps(c('172.20.0.0/24'), c('172.20.1.0/24')), false);
    assert.equal(overlaps(c('172.20.0.0/24'), c('172.20.0.255/32')), true);
    assert.equal(overlaps(c('172.20.1.0/24'), c('172.20.0.255/32')), false);
    assert.equal(overlaps(c('0.0.0.0/0'), c('8.8.8.8/32')), true);
  });
});

describe('SubnetPool.allocate', () => {
  it('hands out 172.20.0.0/24 first with gateway .1', () => {
    const lease = new SubnetPool().allocate([]);
    assert.equal(lease.subnet, '172.20.0.0/24');
    assert.equal(lease.gateway, '172.20.0.1');
  });

  it('skips subnets overlapping networks the engine already has', () => {
    const pool = new SubnetPool();
    assert.equal(pool.allocate(['172.17.0.0/16', '172.20.0.0/24', '172.20.1.128/25']).subnet, '172.20.2.0/24');
  });

  it('skips a wide taken range: 172.20.0.0/16 taken gives 172.21.0.0/24', () => {
    const lease = new SubnetPool().allocate(['172.20.0.0/16']);
    assert.equal(lease.subnet, '172.21.0.0/24');
    assert.equal(lease.gateway, '172.21.0.1');
  });

  it('ignores IPv6 CIDRs in the taken list', () => {
    assert.equal(new SubnetPool().allocate(['fd00::/8', '::/0']).subnet, '172.20.0.0/24');
  });

  it('skips leases in flight until they are released', () => {
    const pool = new SubnetPool();
    const first = pool.allocate([]);
    const second = pool.allocate([]);
    assert.equal(first.subnet, '172.20.0.0/24');
    assert.equal(second.subnet, '172.20.1.0/24');
    first.release();
    assert.equal(pool.allocate([]).subnet, '172.20.0.0/24');
    assert.equal(pool.allocate([]).subnet, '172.20.2.0/24');
  });

  it('starts at the given offset and wraps around', () => {
    const pool = new SubnetPool();
    assert.equal(pool.allocate([], 5).subnet, '172.20.5.0/24');
    assert.equal(pool.allocate([], 1023).subnet, '172.23.255.0/24');
    assert.equal(pool.allocate([], 1023).subnet, '172.20.0.0/24');
  });

  it('gives 30 distinct, non-overlapping /24s inside 172.20.0.0/14', () => {
    const pool = new SubnetPool();
    const range = parseCidr('172.20.0.0/14')!;
    const leases: SubnetLease[] = [];
    for (let i = 0; i < 30; i++) leases.push(pool.allocate(['172.20.3.0/24'], (i * 37) % 7));
    const cidrs = leases.map((lease) => parseCidr(lease.subnet)!);
    assert.equal(new Set(leases.map((lease) => lease.subnet)).size, 30);
    for (const [i, cidr] of cidrs.entries()) {
      assert.ok(cidr.start >= range.start && cidr.end <= range.end, `${leases[i]!.subnet} is outside the pool`);
      assert.equal(cidr.end - cidr.start, 255);
      assert.equal(leases[i]!.gateway, intToIpv4(cidr.start + 1));
      assert.equal(overlaps(cidr, parseCidr('172.20.3.0/24')!), false);
      for (const other of cidrs.slice(i + 1)) assert.equal(overlaps(cidr, other), false);
    }
  });

  it('throws a clear error when everything is taken', () => {
    assert.throws(() => new SubnetPool().allocate(['172.20.0.0/14']), { message: exhausted });
    assert.throws(() => new SubnetPool().allocate(['0.0.0.0/0']), { message: exhausted });
  });

  it('throws a clear error when all 1024 subnets are in flight, and recovers on release', () => {
    const pool = new SubnetPool();
    const leases = Array.from({ length: 1024 }, () => pool.allocate([]));
    assert.equal(leases[1023]!.subnet, '172.23.255.0/24');
    assert.throws(() => pool.allocate([]), { message: exhausted });
    leases[700]!.release();
    assert.equal(pool.allocate([]).subnet, leases[700]!.subnet);
  });
});
