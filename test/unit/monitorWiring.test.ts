import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { Emitter } from '../../src/engine/emitter';
import { Engine, EngineNotice } from '../../src/engine/engine';
import { DockerEvent } from '../../src/engine/events';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { defaultMonitorSettings, MonitorSettings } from '../../src/monitor/settings';
import { containerEvent, workspaceOneLabels } from '../support/dockerEvents';
import { repoRoot } from '../support/paths';
import { sleep } from '../support/waits';

const inspectFixture = resolve(repoRoot, 'test', 'fixtures', 'inspect', 'standard-workspace.json');
const containerId = 'c0ffee';
const labels = workspaceOneLabels;

/** An Engine stand-in: events and notices fired by the test, a connection whose container calls are recorded. */
function fakeEngine(inspect: () => object) {
  const events = new Emitter<DockerEvent>();
  const notices = new Emitter<EngineNotice>();
  const calls: string[] = [];
  const container = {
    inspect: async () => inspect(),
    pause: async () => calls.push('pause'),
    stop: async () => calls.push('stop'),
    stats: async () => new PassThrough(),
    exec: async () => {
      calls.push('exec');
      throw new Error('no exec in unit tests');
    },
  };
  const docker = { getContainer: () => container, listContainers: async () => [] };
  const connection = {
    docker,
    untimed: docker,
    host: 'fake',
    log: { trace() {}, info() {}, warn() {}, error() {} },
    call: (_what: string, fn: (d: typeof docker) => Promise<unknown>) => fn(docker),
  };
  const engine = {
    onEvent: events.event,
    onNotice: notices.event,
    state: { kind: 'connecting' },
    connection: async () => connection,
    target: undefined,
  } as unknown as Engine;
  let clock = 1_000_000;
  const fire = (action: string, attributes: Record<string, string> = {}): void => {
    clock += 100;
    events.fire(containerEvent(containerId, action, { ...labels, ...attributes }, clock));
  };
  return { engine, fire, calls };
}

const settle = (): Promise<void> => sleep(20);

describe('SecurityMonitor wiring (fake engine)', () => {
  let monitor: SecurityMonitor | undefined;
  afterEach(() => monitor?.dispose());

  function socketInspect(running: boolean): object {
    const info = JSON.parse(readFileSync(inspectFixture, 'utf8'));
    info.Id = containerId;
    info.Mounts.push({ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock' });
    info.State = { ...info.State, Running: running, Paused: false };
    return info;
  }

  it('audits on create without acting, pauses once the container runs, once per run', async () => {
    let running = false;
    const { engine, fire, calls } = fakeEngine(() => socketInspect(running));
    const settings: MonitorSettings = { ...defaultMonitorSettings, onBreach: 'pause', processChecks: false };
    monitor = new SecurityMonitor(engine, { settings: () => settings });
    fire('create');
    await settle();
    assert.equal(monitor.alerts.list()[0]?.rule, 'audit.engineSocket');
    assert.deepEqual(calls, [], 'a created container is not paused');
    running = true;
    fire('start');
    await settle();
    assert.deepEqual(calls, ['pause']);
    fire('pause');
    fire('unpause'); // the user's decision: not overridden
    await settle();
    assert.deepEqual(calls, ['pause']);
    fire('die', { exitCode: '143' });
    fire('start'); // a new run: the response applies again
    await settle();
    assert.deepEqual(calls, ['pause', 'pause']);
    fire('destroy');
    assert.deepEqual(monitor.alerts.list(), []);
  });

  it('notify and an accepted socket mount never act', async () => {
    for (const settings of [
      { ...defaultMonitorSettings, onBreach: 'stop' as const, allowEngineSocket: true, processChecks: false },
      { ...defaultMonitorSettings, onBreach: 'notify' as const, processChecks: false },
    ]) {
      const { engine, fire, calls } = fakeEngine(() => socketInspect(true));
      const m = new SecurityMonitor(engine, { settings: () => settings });
      fire('start');
      await settle();
      assert.equal(m.alerts.list().length, 1);
      assert.deepEqual(calls, []);
      m.dispose();
    }
  });

  it('event rules land in the store: crash, OOM, health, restart loop; a stop clears the loop', async () => {
    const { engine, fire } = fakeEngine(() => JSON.parse(readFileSync(inspectFixture, 'utf8')));
    monitor = new SecurityMonitor(engine, { settings: () => ({ ...defaultMonitorSettings, processChecks: false }) });
    const rules = (): string[] =>
      monitor!.alerts
        .list()
        .map((a) => a.rule)
        .sort();
    fire('start');
    fire('oom');
    fire('health_status: unhealthy');
    assert.deepEqual(rules(), ['event.health', 'event.oom']);
    fire('health_status: healthy');
    for (let i = 0; i < 3; i++) {
      fire('die', { exitCode: '1' });
      assert.ok(rules().includes('event.die'));
      fire('start');
    }
    assert.deepEqual(rules(), ['event.restarts']);
    assert.equal(monitor.alerts.summary().byType.process_anomaly, 1);
    fire('kill', { signal: '15' });
    fire('die', { exitCode: '143' });
    fire('stop');
    assert.deepEqual(rules(), []);
  });

  it('a stopped and restarted workspace gets its process check again', async () => {
    const { engine, fire, calls } = fakeEngine(() => JSON.parse(readFileSync(inspectFixture, 'utf8')));
    monitor = new SecurityMonitor(engine, { settings: () => defaultMonitorSettings, processCheckStartDelayMs: 0 });
    fire('start');
    fire('die', { exitCode: '0' }); // before the start's check ran: it is cancelled
    await settle();
    assert.deepEqual(calls, []);
    fire('start');
    await settle();
    assert.deepEqual(calls, ['exec']);
  });
});
