import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineLog } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { Alert, alertKey } from '../../src/monitor/alerts';
import { answersWithin, frozenRule, thawLocally } from '../../src/monitor/frozen';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { MonitorScope } from '../../src/monitor/scope';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { connectedEngine } from '../support/engine';
import { freezeHalfway } from '../support/freezeHalfway';
import { cliPath } from '../support/paths';
import { waitFor } from '../support/waits';
import { execIn, testRunId, workspaceFixture } from './support';

/**
 * The Docker 20.10 / runc 1.1 / cgroup v1 bug for real: execs starting while the workspace is
 * paused get frozen half-way and the engine stops answering for it. The monitor must say so
 * with the way out, and `aicli-ws unfreeze` must get the workspace running again.
 */
describe('a workspace frozen half-way by a pause (real engine)', function () {
  this.timeout(180_000);
  let containerId: string | undefined;
  // Registered before the fixture's sweep so that a wedged container never hangs the sweep.
  after(async () => {
    if (!containerId) return;
    await thawLocally(containerId).catch(() => undefined);
  });
  const fixture = workspaceFixture();
  const logLines: string[] = [];
  const log: EngineLog = { trace() {}, info: (m) => logLines.push(m), warn: (m) => logLines.push(m), error: (m) => logLines.push(m) };
  let engine: Engine;
  let monitor: SecurityMonitor;

  before(async () => {
    engine = await connectedEngine();
    // Process checks off: the execs racing the pauses are the test's own.
    monitor = new SecurityMonitor(engine, {
      settings: () => ({ ...defaultMonitorSettings, processChecks: false }),
      log,
      scope: new MonitorScope({ 'aicli.test.run': testRunId }),
      frozenProbe: { delayMs: 300, timeoutMs: 2000 },
    });
    await monitor.ready();
  });
  after(() => {
    monitor?.dispose();
    engine?.dispose();
  });

  it('is reported with the way out, and `aicli-ws unfreeze` brings it back', async () => {
    const { workspace } = await fixture.service.create({ folder: fixture.folder(), name: `frozen-${process.pid}` });
    containerId = workspace.containerId;
    const docker = fixture.connection.untimed;
    const container = docker.getContainer(workspace.containerId);

    const { round: wedgedAt, execsDone } = await freezeHalfway(container);
    assert.ok(wedgedAt, 'the engine bug did not show up in 60 pauses: nothing to test the monitor against');
    console.log(`      frozen on pause #${wedgedAt}`);
    const step = (what: string): void => console.log(`      ${new Date().toISOString()} ${what}`);

    // What the user sees: the alert, naming the workspace and both ways out.
    const alert = await waitFor<Alert>('the frozen alert', 20_000, (resolve) => {
      const existing = monitor.alerts.get(alertKey(workspace.containerId, frozenRule));
      if (existing) queueMicrotask(() => resolve(existing));
      return monitor.alerts.onDidChange((change) => {
        if (change.kind !== 'cleared' && change.alert.rule === frozenRule) resolve(change.alert);
      });
    });
    step('alert raised');
    assert.equal(alert.workspace.containerId, workspace.containerId);
    assert.equal(alert.severity, 'error');
    assert.match(alert.message, /stopped answering/);
    assert.ok(alert.message.includes(`aicli-ws unfreeze ${workspace.name}`), alert.message);

    // The way out, as root on this host (the test runs as root next to the engine).
    const cleared = waitFor<void>('the alert to clear', 30_000, (resolve) =>
      monitor.alerts.onDidChange((change) => {
        if (change.kind === 'cleared' && change.alert.key === alert.key) resolve();
      }),
    );
    step('running unfreeze');
    const { stdout } = await promisify(execFile)(process.execPath, [cliPath, 'unfreeze', workspace.name], { timeout: 60_000 });
    assert.match(stdout, /Thawed and refroze .*freezer/);
    assert.match(stdout, new RegExp(`${workspace.name}: running`));
    step(`unfreeze said: ${stdout.trim()}`);
    await cleared;
    step('alert cleared');
    assert.ok(await answersWithin(container.inspect(), 5000), 'inspect answers again');
    assert.equal((await container.inspect()).State.Status, 'running');
    assert.ok(await answersWithin(execsDone, 15_000), 'the execs caught by the pause finished after the unfreeze');
    step('racing execs finished');
    const echoed = await execIn(fixture.service, workspace.name, ['echo', 'alive']);
    assert.equal(echoed.stdout.trim(), 'alive');
    await fixture.service.remove(workspace.name);
    containerId = undefined;
  });

  it('unfreeze refuses a workspace that is not paused, saying why', async () => {
    const { workspace } = await fixture.service.create({ folder: fixture.folder(), name: `not-frozen-${process.pid}` });
    const failed = await promisify(execFile)(process.execPath, [cliPath, 'unfreeze', workspace.name]).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    assert.ok(failed, 'unfreeze of a running workspace must fail');
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, new RegExp(`${workspace.name} is running, not paused`));
  });
});
