// The audit trail on the real engine: aicli-ws (create, exec, stop, rm), an agent's call over
// `aicli-ws mcp` and a monitor (alert raised and cleared, refused egress, breach pause) all
// write one trail in AICLI_STATE_DIR, and `aicli-ws audit --json` reads it back. Traffic only
// to our fake-internet namespace (refused at the box's gateway).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditDirectory } from '../../src/audit/location';
import { AuditRecord } from '../../src/audit/record';
import { AuditTrail } from '../../src/audit/trail';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { MonitorScope } from '../../src/monitor/scope';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { alertCleared, alertRaised } from '../support/alerts';
import { baseImage, connect, connectedEngine } from '../support/engine';
import { createFakeInternet, FakeInternet } from '../support/fakeInternet';
import { makeFolder, removeFolder } from '../support/folders';
import { cliLabelArgs } from '../support/labels';
import { startMcp } from '../support/mcpClient';
import { aicli } from '../support/cli';
import { sweepRun } from '../support/sweep';
import { waitFor } from '../support/waits';
import { execIn, testLabel, testRunId, testWorkspaceService } from './support';

const suiteLabel = { 'aicli.test.suite': `audit-${testRunId}` };

async function auditJson(...args: string[]): Promise<AuditRecord[]> {
  const result = await aicli('audit', ...args, '--json');
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as AuditRecord[];
}

const one = (records: AuditRecord[], type: string, where: (record: AuditRecord) => boolean = () => true): AuditRecord => {
  const found = records.filter((record) => record.type === type && where(record));
  assert.equal(found.length, 1, `one ${type}: ${JSON.stringify(records.map((record) => record.type))}`);
  return found[0]!;
};
const ms = (record: AuditRecord): number => Date.parse(record.at);

describe('audit trail: the CLI, an MCP session and a monitor write one trail (real engine)', function () {
  this.timeout(240_000);
  const savedState = process.env.AICLI_STATE_DIR;
  const state = mkdtempSync(join(tmpdir(), 'aicli-audit-state-'));
  const folders: string[] = [];
  const trailErrors: string[] = [];
  let connection: EngineConnection;
  let engine: Engine;
  let monitor: SecurityMonitor;
  let internet: FakeInternet;

  before(async () => {
    // The CLI and the MCP server are children of this process: they see it too.
    process.env.AICLI_STATE_DIR = state;
    connection = await connect();
    engine = await connectedEngine();
    internet = createFakeInternet(process.pid + 19);
    // The extension's part: its monitor, writing the same trail.
    const trail = new AuditTrail({ directory: auditDirectory(process.env, homedir()), via: 'extension', actor: 'user', onError: (m) => trailErrors.push(m) });
    const settings = { ...defaultMonitorSettings, onBreach: 'pause' as const, processChecks: false };
    monitor = new SecurityMonitor(engine, { settings: () => settings, scope: new MonitorScope(suiteLabel), audit: trail.sink().forEngine('default') });
    await monitor.ready();
  });
  after(async () => {
    monitor?.dispose();
    engine?.dispose();
    internet?.remove();
    if (connection) await sweepRun(connection.docker, testRunId);
    folders.forEach(removeFolder);
    if (savedState === undefined) delete process.env.AICLI_STATE_DIR;
    else process.env.AICLI_STATE_DIR = savedState;
    rmSync(state, { recursive: true, force: true });
  });

  it("records aicli-ws create, exec, stop, rm and an agent's exec over MCP, with times, values and exit codes", async () => {
    const name = `audit-${process.pid}`;
    const folder = makeFolder('aicli-audit-', { owner: 'user', readme: '# audit\n' });
    folders.push(folder);
    const started = Date.now();
    const created = await aicli('create', '--folder', folder, '--name', name, ...cliLabelArgs(testLabel), '--json');
    assert.equal(created.code, 0, created.stderr);
    const workspace = JSON.parse(created.stdout) as { id: string };
    assert.equal((await aicli('exec', name, '--', 'sh', '-c', 'echo out; exit 3')).code, 3);
    const mcp = await startMcp(['--folder-root', tmpdir(), ...cliLabelArgs(testLabel)]);
    try {
      const answer = await mcp.call('workspace_exec', { workspace: name, command: 'echo agent; exit 4' });
      assert.match(answer.text, /^Exit code 4/);
    } finally {
      await mcp.close();
    }
    assert.equal((await aicli('stop', name)).code, 0);
    assert.equal((await aicli('rm', name)).code, 0);

    const records = await auditJson(name);
    const byCli = (record: AuditRecord): boolean => record.via === 'cli';
    const create = one(records, 'workspace.create');
    assert.deepEqual([create.actor, create.via, create.engine, create.outcome, create.folder], ['cli', 'cli', 'default', 'ok', folder]);
    assert.deepEqual(create.workspace, { name, id: workspace.id });
    assert.deepEqual([create.level, create.state], ['standard', 'running']);
    const execEnd = one(records, 'exec.end', byCli);
    assert.deepEqual([execEnd.exitCode, execEnd.command, execEnd.actor], [3, ['sh', '-c', 'echo out; exit 3'], 'cli']);
    assert.equal(one(records, 'exec.start', byCli).session, execEnd.session);
    assert.ok(Date.parse(execEnd.startedAt as string) <= ms(execEnd) && typeof execEnd.durationMs === 'number');
    const agentExec = one(records, 'exec.end', (record) => record.via === 'mcp');
    assert.deepEqual([agentExec.actor, agentExec.exitCode, agentExec.command], ['agent', 4, 'echo agent; exit 4']);
    const toolCall = one(records, 'tool.call');
    assert.deepEqual([toolCall.actor, toolCall.via, toolCall.tool, toolCall.outcome, toolCall.summary], ['agent', 'mcp', 'workspace_exec', 'ok', 'exit 4']);
    assert.deepEqual(toolCall.input, { workspace: name, command: 'echo agent; exit 4' });
    const stop = one(records, 'workspace.stop');
    assert.deepEqual([stop.outcome, stop.state, stop.workspace?.id], ['ok', 'exited', workspace.id]);
    const remove = one(records, 'workspace.remove');
    assert.equal(remove.outcome, 'ok');
    // In the order it happened, within this test's time.
    const order = [create, execEnd, agentExec, toolCall, stop, remove].map(ms);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    assert.ok(order[0]! >= started - 1000 && order.at(-1)! <= Date.now());
    assert.deepEqual(
      (await auditJson(name, '--type', 'exec')).map((record) => `${record.type}/${record.via}`),
      ['exec.start/cli', 'exec.end/cli', 'exec.start/mcp', 'exec.end/mcp'],
    );
    const table = await aicli('audit', name, '--since', '10m');
    assert.match(table.stdout, new RegExp(`workspace\\.remove +${name} +cli`));
  });

  it("records a monitor's alert raised and cleared with its values, a refused egress attempt and a breach pause", async () => {
    const service = testWorkspaceService({ labels: { ...testLabel, ...suiteLabel } });
    const folder = makeFolder('aicli-audit-mon-', { owner: 'user', readme: '# audit\n' });
    folders.push(folder);
    const { workspace } = await service.create({ folder, name: `audit-mem-${process.pid}`, level: 'standard', resources: { memory: '32m' } });
    const raised = alertRaised(monitor, workspace.containerId, 'memory');
    await execIn(service, workspace.name, ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=28 2>&1']);
    await raised;
    const cleared = alertCleared(monitor, workspace.containerId, 'memory');
    await execIn(service, workspace.name, ['rm', '/dev/shm/hog']);
    await cleared;
    await execIn(service, workspace.name, ['sh', '-c', `nc -w 2 ${internet.address} 8080 </dev/null`]);
    await waitFor<void>('the egress record', 15_000, (resolve) => {
      const timer = setInterval(() => {
        const trail = new AuditTrail({ directory: auditDirectory(process.env, homedir()), via: 'cli', actor: 'cli' });
        if (trail.read({ types: ['egress.blocked'] }).length > 0) resolve();
      }, 250);
      return { dispose: () => clearInterval(timer) };
    });
    const breach = await breachPause();

    const records = await auditJson(workspace.name);
    const raise = one(records, 'alert.raised', (record) => record.rule === 'memory');
    assert.deepEqual(
      [raise.actor, raise.via, raise.alertType, raise.severity, raise.policyItem],
      ['monitor', 'extension', 'resource_violation', 'warning', 'memory'],
    );
    assert.match(raise.message as string, /of the 32 MiB limit/);
    const clear = one(records, 'alert.cleared', (record) => record.rule === 'memory');
    assert.ok(ms(clear) > ms(raise) && Number(clear.heldMs) > 0);
    const egress = records.find((record) => record.type === 'egress.blocked')!;
    assert.deepEqual([egress.destination, egress.port, egress.protocol, egress.attempts], [internet.address, 8080, 'tcp', 1]);
    const response = one(await auditJson(breach, '--type', 'breach'), 'breach.response');
    assert.deepEqual([response.action, response.outcome, response.rule, response.severity], ['pause', 'ok', 'audit.engineSocket', 'critical']);
    assert.deepEqual(trailErrors, []);
  });

  /** A managed container with the engine socket mounted: critical, paused by the monitor (onBreach pause). */
  async function breachPause(): Promise<string> {
    const target = engine.target;
    assert.ok(target?.spec.scheme === 'unix', 'the test engine is on a unix socket (DOCKER_HOST)');
    const name = `audit-socket-${process.pid}`;
    const container = await connection.docker.createContainer({
      Image: baseImage,
      Cmd: ['sleep', '300'],
      Labels: {
        ...testLabel,
        ...suiteLabel,
        'aicli.managed': 'true',
        'aicli.workspace.id': `asock${process.pid}`,
        'aicli.workspace.name': name,
        'aicli.workspace.level': 'standard',
      },
      HostConfig: { Init: true, Binds: [`${target.spec.socketPath}:/var/run/docker.sock`], CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges=true'] },
    });
    const responded = waitFor<void>('the breach response', 20_000, (resolve) =>
      monitor.onDidRespond((response) => {
        if (response.alert.workspace.containerId === container.id) resolve();
      }),
    );
    await container.start();
    await responded;
    return name;
  }
});
