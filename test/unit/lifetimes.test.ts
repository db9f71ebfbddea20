import * as assert from 'node:assert/strict';
import { AuditEntry, AuditSink } from '../../src/audit/sink';
import { InputError } from '../../src/engine/errors';
import { Emitter } from '../../src/engine/emitter';
import { EngineNotice, EngineState } from '../../src/engine/engine';
import { DockerEvent } from '../../src/engine/events';
import { processCheckCommand } from '../../src/monitor/processChecks';
import { MonitoredWorkspace } from '../../src/monitor/scope';
import { WorkspaceStats } from '../../src/monitor/statsStream';
import { LifetimeStop, LifetimeWarning, WithdrawReason, WorkspaceLifetimes } from '../../src/workspace/lifetimes/lifetimes';
import { formatSpan, LifetimeSettings, parseLifetime, warningLeadMs } from '../../src/workspace/lifetimes/rules';
import { execStartCommand, healthCheckCommand } from '../../src/workspace/lifetimes/sessions';
import { LifetimeSource, WorkspaceFacts } from '../../src/workspace/lifetimes/source';
import { containerEvent, workspaceOneLabels } from '../support/dockerEvents';
import { FakeClock } from '../support/fakeClock';

const id = 'c0ffee';
const min = 60_000;
const workspace: MonitoredWorkspace = { containerId: id, id: 'w1', name: 'one', level: 'standard' };
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lifetimes on a fake engine: events, samples and time all moved by the test. */
function harness(initial: LifetimeSettings, facts: Partial<WorkspaceFacts> = {}, running: MonitoredWorkspace[] = []) {
  const clock = new FakeClock();
  const events = new Emitter<DockerEvent>();
  const notices = new Emitter<EngineNotice>();
  const samples = new Emitter<WorkspaceStats>();
  const records: AuditEntry[] = [];
  const audit = new AuditSink((entry) => records.push(entry));
  const stops: { containerId: string; because: Record<string, unknown> }[] = [];
  let failStops = false;
  let settings = initial;
  const fire = (action: string, attributes: Record<string, string> = {}, labels: Record<string, string> = workspaceOneLabels): void =>
    events.fire(containerEvent(id, action, { ...labels, name: 'one', ...attributes }, clock.now()));
  const source: LifetimeSource = {
    engine: { onEvent: events.event, onNotice: notices.event, state: { kind: 'connected' } as EngineState },
    onSample: samples.event,
    running: async () => running,
    facts: async () => ({ startedAt: clock.now(), running: true, paused: false, openExecs: [], ...facts }),
    stop: async (containerId, because) => {
      if (failStops) throw new Error('engine said no');
      stops.push({ containerId, because });
      // What the service records: the actor comes from the call chain.
      audit.record({ type: 'workspace.stop', workspace: { name: 'one', id: 'w1' }, ...because });
      fire('die', { exitCode: '0' });
    },
  };
  const lifetimes = new WorkspaceLifetimes(source, { settings: () => settings, clock, audit });
  const warnings: LifetimeWarning[] = [];
  const withdrawn: WithdrawReason[] = [];
  const stopped: LifetimeStop[] = [];
  lifetimes.onWarning((warning) => warnings.push(warning));
  lifetimes.onWithdrawn(({ reason }) => withdrawn.push(reason));
  lifetimes.onStopped((stop) => stopped.push(stop));
  /** `seconds` of stats samples, one a second, at `cpu` % of one CPU. */
  const run = (seconds: number, cpu = 0): void => {
    for (let i = 0; i < seconds; i++) {
      clock.advance(1000);
      samples.fire({ workspace, snapshot: { cpuPercent: cpu }, receivedAt: clock.now() } as unknown as WorkspaceStats);
    }
  };
  const exec = (execId: string, command: string): void => fire(`exec_start: ${command}`, { execID: execId });
  const set = (next: LifetimeSettings): void => {
    settings = next;
    lifetimes.refresh();
  };
  const failNextStops = (): boolean => (failStops = true);
  return { clock, lifetimes, fire, run, exec, set, warnings, withdrawn, stopped, stops, records, failNextStops };
}

async function started(h: ReturnType<typeof harness>): Promise<number> {
  h.fire('start');
  await flush();
  return h.clock.now();
}

describe('lifetimes: idle stop (fake clock, fake events)', () => {
  it('no session and CPU under 1 %: a notice 60 s before, then a stop recorded as the monitor’s with its reason', async () => {
    const h = harness({ idleStopMs: 30 * min });
    const t0 = await started(h);
    h.run(28 * 60 + 59);
    assert.equal(h.warnings.length, 0);
    h.run(1);
    assert.equal(h.warnings.length, 1);
    assert.deepEqual([h.warnings[0]!.rule, h.warnings[0]!.stopAt, h.warnings[0]!.since], ['idleStop', t0 + 30 * min, t0]);
    h.run(59);
    assert.equal(h.stops.length, 0);
    h.run(1);
    await flush();
    assert.equal(h.stops.length, 1);
    assert.deepEqual(h.stops[0]!.because, { reason: 'lifetime.idleStop', limitMs: 30 * min, idleForMs: 30 * min });
    const record = h.records.find((entry) => entry.type === 'workspace.stop');
    assert.equal(record?.actor, 'monitor');
    assert.deepEqual(
      h.stopped.map((stop) => [stop.by, stop.error]),
      [['lifetime', undefined]],
    );
    h.run(3600);
    assert.equal(h.stops.length, 1, 'stopped once; the die ended its tracking');
  });

  it('an open session holds it for hours; its end starts the idle clock', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.exec('e1', 'bash -l');
    h.run(2 * 3600);
    assert.equal(h.warnings.length, 0);
    h.fire('exec_die', { execID: 'e1', exitCode: '0' });
    const ended = h.clock.now();
    h.run(29 * 60);
    assert.equal(h.warnings.length, 1);
    assert.equal(h.warnings[0]!.stopAt, ended + 30 * min);
  });

  it('CPU at 1 % or more resets the idle clock; under 1 % does not', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.run(20 * 60, 0.5);
    h.run(10, 5);
    const end = h.clock.now();
    h.run(28 * 60 + 40, 0.9);
    assert.equal(h.warnings.length, 0);
    h.run(40);
    assert.equal(h.warnings.length, 1);
    // A window is busy once over its budget (1 % of 10 s = 100 ms): during the 5 % seconds (or the window they end in), never in the 0.9 % ones.
    const since = h.warnings[0]!.since;
    assert.ok(since > end - 10_000 && since <= end + 10_000, `idle since ${since - end} ms from the end of the busy seconds`);
  });

  it('a steady 1 % is work: never idle', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.run(2 * 3600, 1);
    assert.equal(h.warnings.length, 0);
  });

  it('the monitor’s own process checks and the health check are no sessions; a short exec of anyone’s is activity', async () => {
    const h = harness({ idleStopMs: 30 * min }, { healthCheck: healthCheckCommand(['CMD-SHELL', 'curl -f localhost']) });
    await started(h);
    h.exec('check', processCheckCommand.join(' '));
    h.exec('health', '/bin/sh -c curl -f localhost');
    h.run(10 * 60);
    h.exec('ls', 'ls ');
    h.fire('exec_die', { execID: 'ls', exitCode: '0' });
    const lsAt = h.clock.now();
    h.run(29 * 60);
    assert.equal(h.warnings.length, 1, 'the checks never ended, yet it is idle');
    assert.equal(h.warnings[0]!.since, lsAt);
  });

  it('activity during the notice withdraws it: no stop', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.run(29 * 60);
    assert.equal(h.warnings.length, 1);
    h.exec('e1', 'sh -c make');
    assert.deepEqual(h.withdrawn, ['active']);
    h.run(5 * 60);
    assert.equal(h.stops.length, 0);
  });

  it('Keep Running postpones by a whole limit and is recorded (lifetime.kept)', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.run(29 * 60 + 30);
    const kept = h.lifetimes.keep(id);
    const keptAt = h.clock.now();
    assert.equal(kept?.rule, 'idleStop');
    assert.equal(h.records.find((entry) => entry.type === 'lifetime.kept')?.rule, 'idleStop');
    h.run(60);
    assert.equal(h.stops.length, 0);
    h.run(28 * 60 - 1);
    assert.equal(h.warnings.length, 1);
    h.run(2 * 60);
    await flush();
    assert.equal(h.warnings.length, 2);
    assert.equal(h.warnings[1]?.stopAt, keptAt + 30 * min);
    assert.equal(h.stops.length, 1);
  });

  it('no stats lately: idle is not known, no notice until a sample says so', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.clock.advance(3 * 3600_000);
    assert.equal(h.warnings.length, 0);
    h.run(1);
    assert.equal(h.warnings.length, 1);
    assert.equal(h.warnings[0]!.stopAt, h.clock.now() + 60_000, 'a whole notice, however late');
  });

  it('a paused workspace is left alone; its unpause starts the idle clock again', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.run(29 * 60);
    h.fire('pause');
    assert.deepEqual(h.withdrawn, ['paused']);
    h.clock.advance(5 * 3600_000);
    assert.equal(h.stops.length, 0);
    h.fire('unpause');
    const unpausedAt = h.clock.now();
    h.run(29 * 60);
    assert.equal(h.warnings[1]?.since, unpausedAt);
  });

  it('a failed stop is said and tried again only after another whole limit', async () => {
    const h = harness({ idleStopMs: 30 * min });
    await started(h);
    h.failNextStops();
    h.run(30 * 60);
    await flush();
    assert.equal(h.stopped[0]?.error, 'engine said no');
    h.run(28 * 60);
    assert.equal(h.warnings.length, 1);
    h.run(60);
    assert.equal(h.warnings.length, 2);
  });
});

describe('lifetimes: max age, scope and settings (fake clock, fake events)', () => {
  it('maxAge counts from the start, open sessions or not, and records the age', async () => {
    const h = harness({ maxAgeMs: 2 * 3600_000 });
    const t0 = await started(h);
    h.exec('terminal', 'bash');
    h.clock.advance(2 * 3600_000 - 61_000);
    assert.equal(h.warnings.length, 0);
    h.clock.advance(1000);
    assert.deepEqual([h.warnings[0]?.rule, h.warnings[0]?.openSessions, h.warnings[0]?.stopAt], ['maxAge', 1, t0 + 2 * 3600_000]);
    h.clock.advance(60_000);
    await flush();
    assert.deepEqual(h.stops[0]?.because, { reason: 'lifetime.maxAge', limitMs: 2 * 3600_000, ageMs: 2 * 3600_000 });
  });

  it('Keep Running on a maxAge notice moves the stop a whole maxAge on', async () => {
    const h = harness({ maxAgeMs: 3600_000 });
    await started(h);
    h.clock.advance(3600_000 - 30_000);
    h.lifetimes.keep(id);
    const keptAt = h.clock.now();
    h.clock.advance(3600_000 - 1000);
    await flush();
    assert.equal(h.stops.length, 0);
    assert.equal(h.warnings[1]?.stopAt, keptAt + 3600_000);
    h.clock.advance(1000);
    await flush();
    assert.equal(h.stops.length, 1);
  });

  it('never tracks an unmanaged container, nor one outside its scope', async () => {
    const h = harness({ idleStopMs: 10_000, maxAgeMs: 10_000 });
    h.fire('start', {}, { 'aicli.managed': 'gateway', 'aicli.gateway.of': 'w1' });
    h.fire('start', {}, {});
    await flush();
    h.run(600);
    await flush();
    assert.deepEqual([h.warnings.length, h.stops.length], [0, 0]);
  });

  it('off: nothing is tracked; turned on, the running ones are found (with their open sessions)', async () => {
    const h = harness({}, { openExecs: ['terminal'] }, [workspace]);
    await started(h);
    h.run(60);
    assert.equal(h.lifetimes.warnings.length, 0);
    h.set({ maxAgeMs: 10 * min });
    await flush();
    h.clock.advance(9 * min);
    assert.deepEqual([h.warnings.length, h.warnings[0]?.openSessions], [1, 1]);
    h.set({});
    assert.deepEqual(h.withdrawn, ['setting']);
    h.clock.advance(3600_000);
    assert.equal(h.stops.length, 0);
  });

  it('Stop Now on a notice stops at once as the person’s act', async () => {
    const h = harness({ idleStopMs: 60_000 });
    await started(h);
    h.run(31);
    assert.equal(h.warnings.length, 1);
    await h.lifetimes.stopNow(id);
    assert.deepEqual(
      h.stopped.map((stop) => stop.by),
      ['user'],
    );
    assert.equal(h.records.find((entry) => entry.type === 'workspace.stop')?.actor, undefined, 'the front end’s own actor');
  });
});

describe('lifetimes: settings and words', () => {
  it('parses durations, off and mistakes', () => {
    assert.equal(parseLifetime('30m', 'aicli.lifetime.idleStop'), 30 * min);
    assert.equal(parseLifetime('7d', 'aicli.lifetime.maxAge'), 7 * 86_400_000);
    for (const off of ['', 'off', '0', undefined]) assert.equal(parseLifetime(off, 'aicli.lifetime.idleStop'), undefined);
    assert.throws(
      () => parseLifetime('half an hour', 'aicli.lifetime.idleStop'),
      (err: unknown) => err instanceof InputError && /aicli\.lifetime\.idleStop: "half an hour" is not a duration; use e\.g\. 30m/.test(err.message),
    );
  });

  it('notices come 60 s ahead, or at half a short limit; spans read as people say them', () => {
    assert.deepEqual([warningLeadMs(30 * min), warningLeadMs(4000)], [60_000, 2000]);
    assert.deepEqual(
      [formatSpan(45_000), formatSpan(30 * min), formatSpan(125 * min), formatSpan(7 * 86_400_000), formatSpan(90_500)],
      ['45 s', '30 min', '2 h 5 min', '7 d', '1 min 31 s'],
    );
  });

  it('reads exec commands and health checks as the engine writes them', () => {
    const event = containerEvent(id, 'exec_start: ls ', { execID: 'x' }, 0);
    assert.equal(execStartCommand(event), 'ls');
    assert.equal(execStartCommand(containerEvent(id, 'exec_die', {}, 0)), undefined);
    assert.equal(healthCheckCommand(['CMD-SHELL', 'true']), '/bin/sh -c true');
    assert.equal(healthCheckCommand(['CMD-SHELL', 'true'], ['/bin/bash', '-o', 'pipefail', '-c']), '/bin/bash -o pipefail -c true');
    assert.equal(healthCheckCommand(['CMD', 'curl', '-f', 'x']), 'curl -f x');
    assert.equal(healthCheckCommand(['NONE']), undefined);
  });
});
