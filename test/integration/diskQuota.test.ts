import * as assert from 'node:assert/strict';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { alertCleared, alertRaised } from '../support/alerts';
import { WorkspaceService } from '../../src/workspace/service';
import { BtrfsEngine, startBtrfsEngine } from '../support/btrfsEngine';
import { connect, connectedEngine } from '../support/engine';
import { makeFolder, removeFolder } from '../support/folders';
import { execIn, testWorkspaceService, workspaceFixture } from './support';

const mib = 2 ** 20;

describe('the disk limit of a workspace (real engines)', function () {
  this.timeout(240_000);
  const fixture = workspaceFixture();
  const folders: string[] = [];
  let btrfs: BtrfsEngine | undefined;
  let connection: EngineConnection | undefined;
  let service: WorkspaceService;
  let engine: Engine | undefined;
  let monitor: SecurityMonitor | undefined;
  const monitorLog: string[] = [];

  before(async () => {
    btrfs = await startBtrfsEngine(`disk-${process.pid}`);
    connection = await connect(btrfs.engine.host);
    service = testWorkspaceService({}, async () => connection as EngineConnection);
    engine = await connectedEngine(btrfs.engine.host);
    monitor = new SecurityMonitor(engine, {
      settings: () => defaultMonitorSettings,
      log: { trace() {}, info() {}, warn: (m) => monitorLog.push(m), error: (m) => monitorLog.push(m) },
    });
    await monitor.ready();
  });
  after(async () => {
    monitor?.dispose();
    engine?.dispose();
    await btrfs?.dispose();
    folders.forEach(removeFolder);
  });

  const folder = (): string => {
    const made = makeFolder('aicli-disk-', { readme: '# disk\n', owner: 'user' });
    folders.push(made);
    return made;
  };

  it('on btrfs: writing 1.2 GB into a 1g workspace fails (quota exceeded), an alert says the disk is full, the workspace stays manageable, and the space comes back', async () => {
    const { workspace, notes } = await service.create({ folder: folder(), name: `disk-${process.pid}`, resources: { disk: '1g' } });
    const full = alertRaised(monitor as SecurityMonitor, workspace.containerId, 'disk.full', {
      timeoutMs: 60_000,
      matches: (alert) => alert.severity === 'error',
    });
    assert.ok(!notes.some((note) => /disk limit .* not enforced/.test(note)), notes.join('\n'));
    const info = await service.inspect(workspace.name);
    assert.deepEqual(info.HostConfig.StorageOpt, { size: String(1024 * mib) });
    const big = await execIn(service, workspace.name, ['sh', '-c', 'dd if=/dev/zero of=/tmp/big bs=1M count=1200 2>&1; echo "exit $?"; ls -l /tmp/big']);
    console.log(`      ${big.stdout.trim().split('\n').join(' | ')}`);
    assert.match(big.stdout, /Disk quota exceeded|No space left on device/);
    assert.match(big.stdout, /exit 1/);
    const written = Number(/\s(\d+)\s+\w+\s+\d+\s+[\d:]+\s+\/tmp\/big/.exec(big.stdout)?.[1] ?? /(\d+) \/tmp\/big/.exec(big.stdout)?.[1]);
    assert.ok(written > 500 * mib && written <= 1024 * mib, `${written} bytes written`);
    // The count comes when the process count settles at a new value: a process held a few seconds makes sure of one.
    await execIn(service, workspace.name, ['sleep', '4']);
    const alert = await full.catch((err: Error) => {
      throw new Error(`${err.message}; the monitor said: ${monitorLog.join(' | ') || 'nothing'}`);
    });
    console.log(`      alert: ${alert.message}`);
    assert.equal(alert.type, 'resource_violation');
    assert.equal(alert.policyItem, 'disk');
    assert.match(alert.message, /disk is full: its files take (9\d\d|10[0-2]\d) MiB of its 1\.0 GiB limit \(\d+ %\)/);
    // Still manageable: commands run, the file goes, the space comes back (btrfs frees it a moment later).
    assert.equal((await service.find(workspace.name)).state, 'running');
    const cleared = alertCleared(monitor as SecurityMonitor, workspace.containerId, 'disk.full', 60_000);
    assert.equal((await execIn(service, workspace.name, ['rm', '/tmp/big'])).code, 0);
    let again = await execIn(service, workspace.name, ['sh', '-c', 'sync; sleep 2; dd if=/dev/zero of=/tmp/again bs=1M count=100 2>&1']);
    if (again.code !== 0) again = await execIn(service, workspace.name, ['sh', '-c', 'sleep 5; dd if=/dev/zero of=/tmp/again bs=1M count=100 2>&1']);
    assert.equal(again.code, 0, again.stdout);
    // The next count comes when the process count settles at a new value: a process held for a few seconds.
    await execIn(service, workspace.name, ['sleep', '4']);
    await cleared;
    assert.equal((await service.lifecycle(workspace.name, 'stop')).state, 'exited');
    await service.remove(workspace.name);
  });

  it('on overlay2 over ext4 (the test engine): the limit is not enforced, and the create says so and why', async () => {
    const { workspace, notes } = await fixture.service.create({ folder: folder(), name: `disk-ext4-${process.pid}`, resources: { disk: '1g' } });
    assert.ok(
      notes.some((note) => /disk limit \(aicli.resources.disk\) is not enforced: .*supported only for overlay over xfs with 'pquota'/.test(note)),
      notes.join('\n'),
    );
    assert.equal(workspace.state, 'running');
    assert.ok(!(await fixture.service.inspect(workspace.name)).HostConfig.StorageOpt?.size, 'no size asked of the engine');
  });
});
