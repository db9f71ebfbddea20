// A refused attempt from the box is a network_anomaly alert (host, port, count) from the monitor,
// read from the gateway's log stream; allowing the host (kept in the gateway, never in the
// folder) lets the same attempt through. Traffic only to our fake-internet namespace.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Engine } from '../../src/engine/engine';
import { Alert } from '../../src/monitor/alerts';
import { egressDestinationIn, egressRule } from '../../src/monitor/egressRefusals';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { MonitorScope } from '../../src/monitor/scope';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { allowEgress } from '../../src/workspace/gateway';
import { alertRaised } from '../support/alerts';
import { connect, connectedEngine } from '../support/engine';
import { createFakeInternet, FakeInternet } from '../support/fakeInternet';
import { makeProjectFolder } from '../support/folders';
import { sweepRun } from '../support/sweep';
import { waitFor } from '../support/waits';
import { execIn, testLabel, testRunId, testWorkspaceService } from './support';

const suiteLabel = { 'aicli.test.suite': `egress-alerts-${testRunId}` };

describe('egress refusals as alerts, and allowing a host (real engine)', function () {
  this.timeout(120_000);
  const service = testWorkspaceService({ labels: { ...testLabel, ...suiteLabel } });
  let engine: Engine;
  let monitor: SecurityMonitor;
  let internet: FakeInternet;
  const port = 8080;

  before(async () => {
    internet = createFakeInternet(process.pid + 7);
    await internet.listen(port, 'fake-internet');
    engine = await connectedEngine();
    monitor = new SecurityMonitor(engine, { settings: () => ({ ...defaultMonitorSettings, processChecks: false }), scope: new MonitorScope(suiteLabel) });
    await monitor.ready();
  });
  after(async () => {
    monitor?.dispose();
    engine?.dispose();
    internet?.remove();
    await sweepRun((await connect()).docker, testRunId);
  });

  const alertFor = (containerId: string, rule: string, until: (alert: Alert) => boolean): Promise<Alert> =>
    alertRaised(monitor, containerId, rule, { timeoutMs: 15_000, matches: until });

  it('three refused connects and a refused name are alerts with host, port and count; allowing the host lets it through', async () => {
    const folder = makeProjectFolder();
    const { workspace } = await service.create({ folder, name: `refused-${process.pid}`, level: 'strict' });
    const before = readdirSync(folder).sort();
    const attempt = (): Promise<{ stdout: string }> => execIn(service, workspace.name, ['sh', '-c', `nc -w 2 ${internet.address} ${port} </dev/null`]);
    for (let i = 0; i < 3; i++) assert.equal((await attempt()).stdout.trim(), '');
    const started = Date.now();
    const alert = await alertFor(workspace.containerId, egressRule(internet.address), (a) => /3 times/.test(a.message));
    console.log(`      refusal alert ${Date.now() - started} ms after the third attempt: ${alert.message}`);
    assert.equal(alert.type, 'network_anomaly');
    assert.equal(alert.policyItem, 'egress');
    assert.match(alert.message, new RegExp(`${internet.address.replace(/\./g, '\\.')} \\(port ${port}\\) 3 times; its egress policy \\(none\\) refused`));
    assert.equal(egressDestinationIn(alert.message), internet.address);

    await execIn(service, workspace.name, ['nslookup', 'blocked.example']);
    const named = await alertFor(workspace.containerId, egressRule('blocked.example'), () => true);
    assert.match(named.message, /blocked\.example 1 time; its egress policy \(none\) refused the name/);

    const plan = await allowEgress(await engine.connection(), workspace.id, [`${internet.address}/32`]);
    assert.equal(plan.mode, 'allowlist');
    assert.deepEqual(plan.allow.cidrs, [`${internet.address}/32`]);
    const through = await waitFor<string>('the allowed host to answer', 10_000, (resolve) => {
      let stopped = false;
      const tryOnce = (): void => {
        void attempt().then(({ stdout }) => {
          if (stdout.trim() === 'fake-internet') resolve('ok');
          else if (!stopped) setTimeout(tryOnce, 300);
        });
      };
      tryOnce();
      return { dispose: () => (stopped = true) };
    });
    assert.equal(through, 'ok');
    // Kept with the gateway on the engine: the project folder is as it was.
    assert.deepEqual(readdirSync(folder).sort(), before);
  });
});
