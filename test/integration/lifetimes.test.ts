// Lifetimes on the real engine: with aicli.lifetime.idleStop at a few seconds, a workspace with no
// session and no CPU is stopped (recorded as the monitor's, with the reason), while one with a
// `sleep 600` exec of the service and one with an open interactive shell are not; when the shell
// exits, the idle clock starts and that one is stopped too. No traffic leaves the engine.
import * as assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { PassThrough } from 'node:stream';
import { AuditEntry, AuditSink } from '../../src/audit/sink';
import { Engine } from '../../src/engine/engine';
import { InteractiveExecSession, openInteractiveExec } from '../../src/engine/interactiveExec';
import { defaultPortPolicy } from '../../src/isolation/ports';
import { MonitorScope } from '../../src/monitor/scope';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { LifetimeWarning, WorkspaceLifetimes } from '../../src/workspace/lifetimes/lifetimes';
import { scopeLifetimeSource } from '../../src/workspace/lifetimes/source';
import { Workspace } from '../../src/workspace/model';
import { EngineScope } from '../../src/workspace/scope';
import { baseImage, connect, connectedEngine } from '../support/engine';
import { makeProjectFolder, removeFolder } from '../support/folders';
import { sweepRun } from '../support/sweep';
import { poll, sleep } from '../support/waits';
import { testLabel, testRunId } from './support';

const suiteLabel = { 'aicli.test.suite': `lifetimes-${testRunId}` };
const idleStopMs = 8000;

describe('lifetimes: idle stop on the real engine', function () {
  this.timeout(180_000);
  const folders: string[] = [];
  const records: AuditEntry[] = [];
  const warnings: LifetimeWarning[] = [];
  let engine: Engine;
  let scope: EngineScope;
  let lifetimes: WorkspaceLifetimes | undefined;
  let shell: InteractiveExecSession | undefined;
  const abort = new AbortController();

  before(async () => {
    engine = await connectedEngine();
    const labels = { ...testLabel, ...suiteLabel };
    scope = new EngineScope('default', engine, {
      policy: () => ({
        defaultImage: baseImage,
        defaultLevel: 'standard',
        resources: {},
        ports: defaultPortPolicy,
        mountEngineSocket: false,
        home: homedir(),
        labels,
      }),
      monitorSettings: () => defaultMonitorSettings,
      monitorScope: new MonitorScope(suiteLabel),
      audit: new AuditSink((entry) => records.push(entry)),
    });
  });
  after(async () => {
    abort.abort();
    shell?.dispose();
    lifetimes?.dispose();
    scope?.dispose();
    engine?.dispose();
    await sweepRun((await connect()).docker, testRunId);
    folders.forEach(removeFolder);
  });

  async function create(name: string): Promise<Workspace> {
    const folder = makeProjectFolder('aicli-lifetimes-');
    folders.push(folder);
    return (await scope.service.create({ folder, name: `${name}-${process.pid}`, mount: 'bind' })).workspace;
  }
  const state = async (ws: Workspace): Promise<string> => (await scope.service.find(ws.containerId)).state;

  it('stops the idle one with its reason, keeps those with a session open, and the shell’s one once it exits', async () => {
    // The monitor's stats streams (and its process checks, whose execs must not count) run first.
    void scope.monitor;
    const [idle, busy, terminal] = await Promise.all([create('idle'), create('exec'), create('term')]);
    const out = new PassThrough();
    const running = scope.service.exec(busy.containerId, ['sleep', '600'], { stdout: out, stderr: out }, abort.signal).catch(() => undefined);
    shell = openInteractiveExec(await scope.connection(), terminal.containerId, { cmd: ['/bin/sh'], rows: 24, cols: 80, onEvent: engine.onEvent });
    await poll('both sessions to run', 10_000, async () => (await scope.service.inspect(busy.containerId)).ExecIDs?.length && shell?.state === 'running');

    // Made after the sessions began: they are found by the resync's inspect (ExecIDs), as on a reload.
    const include = new MonitorScope(suiteLabel);
    lifetimes = new WorkspaceLifetimes(scopeLifetimeSource(scope, include), { settings: () => ({ idleStopMs }), audit: scope.audit, scope: include });
    lifetimes.onWarning((warning) => warnings.push(warning));
    const startedAt = Date.now();

    await poll('the idle workspace to be stopped', 60_000, async () => (await state(idle)) === 'exited', 250);
    const stoppedAfterMs = Date.now() - startedAt;
    assert.ok(stoppedAfterMs >= idleStopMs - 1000, `stopped after ${stoppedAfterMs} ms, before its idle time`);
    // (A busy CPU window of a check's exec may withdraw a notice and a later one come: the same workspace.)
    assert.deepEqual([...new Set(warnings.map((warning) => `${warning.workspace.name} ${warning.rule}`))], [`${idle.name} idleStop`]);
    const stop = records.find((record) => record.type === 'workspace.stop' && record.workspace?.id === idle.id);
    assert.ok(stop, JSON.stringify(records.map((record) => record.type)));
    assert.deepEqual([stop.actor, stop.outcome, stop.reason, stop.limitMs], ['monitor', 'ok', 'lifetime.idleStop', idleStopMs]);
    assert.ok(Number(stop.idleForMs) >= idleStopMs, `idleForMs ${String(stop.idleForMs)}`);

    // Well past their idle time: the two with a session run on.
    await sleep(idleStopMs + 4000);
    assert.deepEqual([await state(busy), await state(terminal)], ['running', 'running']);

    // The shell ends: from its exec_die the idle clock runs, and that workspace goes too.
    shell.write('exit\n');
    const exitedAt = Date.now();
    await poll('the terminal’s workspace to be stopped', 60_000, async () => (await state(terminal)) === 'exited', 250);
    assert.ok(Date.now() - exitedAt >= idleStopMs - 1000);
    assert.equal(await state(busy), 'running');
    abort.abort();
    await running;
  });
});
