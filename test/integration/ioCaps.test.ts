import * as assert from 'node:assert/strict';
import { engineDataDevice } from '../support/engineDevice';
import { makeFolder, removeFolder } from '../support/folders';
import { execIn, workspaceFixture } from './support';

const mib = 2 ** 20;

describe('I/O caps on the engine data disk (real engine)', function () {
  this.timeout(180_000);
  const fixture = workspaceFixture();
  const folders: string[] = [];
  after(() => folders.forEach(removeFolder));

  /** Runs dd in the box; its time from here (busybox dd prints none), the exec's ~50 ms included. */
  async function timedDd(name: string, args: string[]): Promise<number> {
    const started = performance.now();
    const result = await execIn(fixture.service, name, ['dd', 'if=/dev/zero', ...args, 'oflag=direct']);
    assert.equal(result.code, 0, result.stderr);
    return (performance.now() - started) / 1000;
  }

  async function create(name: string, resources: Record<string, string>): Promise<string> {
    const folder = makeFolder('aicli-io-', { readme: '# io\n', owner: 'user' });
    folders.push(folder);
    const { workspace, notes } = await fixture.service.create({ folder, name: `${name}-${process.pid}`, resources });
    assert.ok(!notes.some((note) => /I\/O caps .* not enforced/.test(note)), notes.join('\n'));
    return workspace.name;
  }

  it("a direct write in a box capped at 10 MiB/s goes at most 12; inspect shows the caps on the engine's own disk; uncapped is faster", async () => {
    const capped = await create('io-capped', { ioWriteBps: '10m', ioReadBps: '10m', ioWriteIops: '0', ioReadIops: '0' });
    const device = await engineDataDevice(fixture.connection);
    const host = (await fixture.service.inspect(capped)).HostConfig;
    assert.deepEqual(host.BlkioDeviceWriteBps, [{ Path: device, Rate: 10 * mib }]);
    assert.deepEqual(host.BlkioDeviceReadBps, [{ Path: device, Rate: 10 * mib }]);
    assert.ok(!host.BlkioDeviceWriteIOps?.length, 'a cap of 0 is no rule');
    // 40 MiB into the box's own filesystem (the engine's disk), bypassing the page cache.
    const cappedRate = (40 * mib) / (await timedDd(capped, ['of=/tmp/big', 'bs=1M', 'count=40']));
    console.log(`      capped at 10 MiB/s: ${(cappedRate / mib).toFixed(1)} MiB/s written`);
    assert.ok(cappedRate <= 12 * mib, `${(cappedRate / mib).toFixed(1)} MiB/s`);
    assert.ok(cappedRate >= 5 * mib, 'the write ran');

    const free = await create('io-free', { ioWriteBps: '0', ioReadBps: '0', ioWriteIops: '0', ioReadIops: '0' });
    assert.ok(!(await fixture.service.inspect(free)).HostConfig.BlkioDeviceWriteBps?.length);
    const freeRate = (40 * mib) / (await timedDd(free, ['of=/tmp/big', 'bs=1M', 'count=40']));
    console.log(`      uncapped: ${(freeRate / mib).toFixed(1)} MiB/s written`);
    assert.ok(freeRate > 2 * cappedRate, 'positive control: without the cap the same write is much faster');
  });

  it('write IOPS: 300 direct 4 KiB writes at 100 IOPS take about 3 s', async () => {
    const name = await create('io-iops', { ioWriteIops: '100', ioWriteBps: '0' });
    const seconds = await timedDd(name, ['of=/tmp/small', 'bs=4k', 'count=300']);
    console.log(`      300 writes at 100 IOPS: ${seconds.toFixed(2)} s`);
    assert.ok(seconds >= 2.4, `${seconds} s`);
  });
});
