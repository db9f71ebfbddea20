import * as assert from 'node:assert/strict';
import { parseIoDevice } from '../../src/isolation/ioDevice';
import { defaultResources, hasIoCaps, parseResources } from '../../src/isolation/resources';
import { ioCapsHostConfig } from '../../src/workspace/ioDevice';

const mib = 2 ** 20;

describe('I/O caps', () => {
  it('default to 100 MiB/s and 1000 IOPS each way; 0 is no cap; garbage is refused naming the setting', () => {
    assert.deepEqual(parseResources({}).io, { readBps: 100 * mib, writeBps: 100 * mib, readIops: 1000, writeIops: 1000 });
    assert.equal(defaultResources.ioWriteBps, '100m');
    const off = parseResources({ ioReadBps: '0', ioWriteBps: 0, ioReadIops: '0', ioWriteIops: 0 }).io;
    assert.equal(hasIoCaps(off), false);
    assert.equal(parseResources({ ioWriteBps: '10m' }).io.writeBps, 10 * mib);
    assert.throws(() => parseResources({ ioWriteBps: 'fast' }), {
      name: 'InputError',
      field: 'ioWriteBps',
      message: /ioWriteBps "fast" is not a size per second like 100m, or 0 for no cap/,
    });
    assert.throws(() => parseResources({ ioReadIops: '-5' }), { field: 'ioReadIops', message: /not a whole number of operations per second, or 0 for no cap/ });
  });

  it('become one throttle rule per cap on the device, none for a cap of 0', () => {
    assert.deepEqual(ioCapsHostConfig({ readBps: 0, writeBps: 10 * mib, readIops: 0, writeIops: 500 }, '/dev/vda'), {
      BlkioDeviceReadBps: undefined,
      BlkioDeviceWriteBps: [{ Path: '/dev/vda', Rate: 10 * mib }],
      BlkioDeviceReadIOps: undefined,
      BlkioDeviceWriteIOps: [{ Path: '/dev/vda', Rate: 500 }],
    });
  });

  describe('the engine data device, from the probe in a box', () => {
    const line = (dev: string, rest: string): string => `dev ${dev}\nsource ${rest}`;
    it('a whole disk: its own name', () => {
      const out = `${line('254:0', '/etc/hostname rw,relatime - ext4 /dev/vda rw')}\nuevent MAJOR=254\nuevent MINOR=0\nuevent DEVNAME=vda\nuevent DEVTYPE=disk\n`;
      assert.deepEqual(parseIoDevice(out), { path: '/dev/vda', majorMinor: '254:0' });
    });
    it('a partition: the disk it is on (the engine refuses caps on a partition)', () => {
      const out = [
        line('8:1', '/etc/hostname rw - ext4 /dev/sda1 rw'),
        'partition',
        'uevent MAJOR=8',
        'uevent MINOR=1',
        'uevent DEVNAME=sda1',
        'uevent DEVTYPE=partition',
        'parent MAJOR=8',
        'parent MINOR=0',
        'parent DEVNAME=sda',
        'parent DEVTYPE=disk',
      ].join('\n');
      assert.deepEqual(parseIoDevice(out), { path: '/dev/sda', majorMinor: '8:0' });
    });
    it('a loop device (an xfs image file, say) is capped itself', () => {
      const out = `${line('7:0', '/etc/hostname rw - xfs /dev/loop0 rw')}\nuevent MAJOR=7\nuevent MINOR=0\nuevent DEVNAME=loop0\n`;
      assert.deepEqual(parseIoDevice(out), { path: '/dev/loop0', majorMinor: '7:0' });
    });
    it('overlay, tmpfs or a network filesystem has no device: not enforced, saying on what', () => {
      assert.deepEqual(parseIoDevice(line('0:52', '/etc/hostname rw - overlay overlay rw')), {
        unavailable: 'the engine keeps its data on overlay (overlay), which has no block device to cap',
      });
      assert.match((parseIoDevice('') as { unavailable: string }).unavailable, /did not show where its data lives/);
      assert.match((parseIoDevice(line('254:0', '/etc/hostname rw - ext4 /dev/vda rw')) as { unavailable: string }).unavailable, /sysfs does not describe/);
    });
  });
});
