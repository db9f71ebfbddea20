import * as assert from 'node:assert/strict';
import { createWithDiskLimit, diskStorageOpt, refusedDiskLimit } from '../../src/workspace/diskQuota';

const overlayRefusal = Object.assign(new Error('(HTTP code 500) server error'), {
  json: { message: "--storage-opt is supported only for overlay over xfs with 'pquota' mount option" },
});

describe('the disk limit of a box', () => {
  it('asks for the size; an engine whose driver cannot size a layer gets the box without it, and the notes say so, every create', async () => {
    const host = `unix:///tmp/ext4-${process.pid}.sock`;
    const asked: (Record<string, string> | undefined)[] = [];
    const notes: string[] = [];
    const made = await createWithDiskLimit(host, 2 ** 30, notes, async (storageOpt) => {
      asked.push(storageOpt);
      if (storageOpt) throw overlayRefusal;
      return 'box';
    });
    assert.equal(made, 'box');
    assert.deepEqual(asked, [{ size: String(2 ** 30) }, undefined]);
    assert.match(notes[0] ?? '', /disk limit \(aicli.resources.disk\) is not enforced: .*supported only for overlay over xfs with 'pquota'/);
    assert.ok(refusedDiskLimit(host));
    // The next create on that engine does not ask again, and says it again.
    const again: string[] = [];
    await createWithDiskLimit(host, 2 ** 30, again, async (storageOpt) => (storageOpt ? 'sized' : 'unsized'));
    assert.equal(again.length, 1);
    assert.equal(diskStorageOpt(2 ** 30, host), undefined);
  });

  it('a limit below what the image takes is the user’s to fix; other errors pass through; 0 asks for nothing', async () => {
    const host = `unix:///tmp/btrfs-${process.pid}.sock`;
    const small = Object.assign(new Error('x'), { json: { message: 'Failed to limit qgroup for &{}: disk quota exceeded' } });
    await assert.rejects(
      createWithDiskLimit(host, 2 ** 20, [], async () => {
        throw small;
      }),
      /smaller than what the image already takes .*Raise aicli.resources.disk|smaller than what the image already takes/,
    );
    await assert.rejects(
      createWithDiskLimit(host, 2 ** 30, [], async () => {
        throw new Error('name in use');
      }),
      /name in use/,
    );
    const asked: (Record<string, string> | undefined)[] = [];
    await createWithDiskLimit(host, 0, [], async (storageOpt) => asked.push(storageOpt));
    assert.deepEqual(asked, [undefined]);
    assert.deepEqual(diskStorageOpt(2 ** 30, host), { size: String(2 ** 30) }, 'an engine that sized a box is asked again');
  });
});
