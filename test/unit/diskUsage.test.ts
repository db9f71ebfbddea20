import * as assert from 'node:assert/strict';
import { diskFindings, diskLimitOf } from '../../src/monitor/diskUsage';

const mib = 2 ** 20;

describe('the disk limit check (monitor/diskUsage)', () => {
  it('reads the limit from StorageOpt.size, and none from a missing, zero or garbled size', () => {
    assert.equal(diskLimitOf({ HostConfig: { StorageOpt: { size: String(1024 * mib) } } }), 1024 * mib);
    assert.equal(diskLimitOf({ HostConfig: { StorageOpt: null } }), undefined);
    assert.equal(diskLimitOf({ HostConfig: { StorageOpt: { size: '0' } } }), undefined);
    assert.equal(diskLimitOf({ HostConfig: { StorageOpt: { size: '1g' } } }), undefined, 'the engine stores bytes; anything else is not ours');
    assert.equal(diskLimitOf({}), undefined);
  });

  it('says nothing below 85 %, warns from 85 %, and calls the disk full from 95 %, with the numbers and what to do', () => {
    const limit = 1024 * mib;
    assert.deepEqual(diskFindings(870 * mib, limit), []);
    const [nearly] = diskFindings(880 * mib, limit);
    assert.equal(nearly?.severity, 'warning');
    assert.equal(nearly?.rule, 'disk.full');
    assert.equal(nearly?.policyItem, 'disk');
    assert.match(nearly?.message ?? '', /nearly full: its files take 880 MiB of its 1\.0 GiB limit \(86 %\)/);
    const [full] = diskFindings(990 * mib, limit);
    assert.equal(full?.severity, 'error');
    assert.equal(full?.type, 'resource_violation');
    assert.match(
      full?.message ?? '',
      /disk is full: its files take 990 MiB of its 1\.0 GiB limit \(97 %\); writes in it fail\. Delete files .* larger aicli\.resources\.disk/,
    );
  });
});
