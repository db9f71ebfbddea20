import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentTool } from '../../src/agent/tool';
import { invokeAgentTool } from '../../src/agent/invoke';
import { monitorRecordsPerMinute, MonitorAuditFeed } from '../../src/audit/monitorFeed';
import { AuditRecord } from '../../src/audit/record';
import { AuditEntry, AuditSink } from '../../src/audit/sink';
import { auditedToolCalls } from '../../src/audit/toolCalls';
import { cliAuditTrail } from '../../src/cli/auditTrail';
import { main } from '../../src/cli/main';
import { Emitter } from '../../src/engine/emitter';
import { CancelledError } from '../../src/engine/errors';
import { AlertStore } from '../../src/monitor/alerts';
import { BreachResponseRecord } from '../../src/monitor/breachResponse';

const workspace = { containerId: 'c1', id: 'w1', name: 'one', level: 'standard' as const };

/** A sink that keeps what it is given. */
function keeping(): { sink: AuditSink; entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return { sink: new AuditSink((entry) => entries.push(entry)).forEngine('default'), entries };
}

describe('audit sink: actions and sessions', () => {
  it('records an action with its outcome and passes its result or error through unchanged', async () => {
    const { sink, entries } = keeping();
    assert.equal(
      await sink.action(
        'workspace.stop',
        { name: 'one', id: 'w1' },
        {},
        async () => 'stopped',
        (state) => ({ state }),
      ),
      'stopped',
    );
    await assert.rejects(
      sink.action('workspace.remove', { name: 'one' }, {}, () => Promise.reject(new Error('engine gone'))),
      /engine gone/,
    );
    await assert.rejects(sink.action('review.apply', { name: 'one' }, { requested: 'all' }, () => Promise.reject(new CancelledError())));
    assert.deepEqual(
      entries.map(({ type, outcome, error, state, engine }) => ({ type, outcome, error, state, engine })),
      [
        { type: 'workspace.stop', outcome: 'ok', error: undefined, state: 'stopped', engine: 'default' },
        { type: 'workspace.remove', outcome: 'error', error: 'engine gone', state: undefined, engine: 'default' },
        { type: 'review.apply', outcome: 'cancelled', error: 'Cancelled.', state: undefined, engine: 'default' },
      ],
    );
  });

  it('records a session at its start and once at its end, with its exit code and duration', () => {
    const { sink, entries } = keeping();
    const session = sink.session('terminal', { name: 'one', id: 'w1' }, { command: '/bin/sh' });
    session.end({ exitCode: 130 });
    session.end({ exitCode: 0 });
    assert.deepEqual(
      entries.map((entry) => [entry.type, entry.session, entry.exitCode, entry.outcome]),
      [
        ['terminal.start', session.id, undefined, undefined],
        ['terminal.end', session.id, 130, 'ok'],
      ],
    );
    assert.ok(typeof entries[1]!.durationMs === 'number' && typeof entries[1]!.startedAt === 'string');
  });

  it('never breaks the action when the writer throws, and the none sink records nothing', async () => {
    const broken = new AuditSink(() => {
      throw new Error('disk on fire');
    });
    assert.equal(await broken.action('workspace.start', { name: 'one' }, {}, async () => 7), 7);
    assert.doesNotThrow(() => AuditSink.none.session('exec', { name: 'one' }, { command: ['true'] }).end({ exitCode: 0 }));
  });
});

describe('audit: agent tool calls', () => {
  const tool = (run: AgentTool['run']): AgentTool => ({
    name: 'workspace_exec',
    title: 't',
    description: 'd',
    input: undefined as never,
    readOnly: false,
    destructive: false,
    run,
  });

  it('logs each call and records it as the agent, with what it caused recorded as the agent too', async () => {
    const { sink, entries } = keeping();
    const logged: string[] = [];
    const record = auditedToolCalls(sink, (call) => logged.push(`${call.tool} ${call.outcome}`));
    const exec = tool(async () => {
      // A record the service makes while the tool runs: no actor given, the call's is used.
      sink.session('exec', { name: 'one', id: 'w1' }, { command: 'make test' }).end({ exitCode: 2 });
      return { text: 'Exit code 2', data: {}, workspace: 'one', summary: 'exit 2' };
    });
    const call = { signal: new AbortController().signal, progress() {} };
    await invokeAgentTool(exec, undefined as never, { workspace: 'one', command: 'make test' }, call, record);
    assert.deepEqual(logged, ['workspace_exec ok']);
    assert.deepEqual(
      entries.map((entry) => [entry.type, entry.actor]),
      [
        ['exec.start', 'agent'],
        ['exec.end', 'agent'],
        ['tool.call', 'agent'],
      ],
    );
    const toolCall = entries[2]!;
    assert.deepEqual([toolCall.tool, toolCall.outcome, toolCall.summary, toolCall.workspace], ['workspace_exec', 'ok', 'exit 2', { name: 'one' }]);
    assert.deepEqual(toolCall.input, { workspace: 'one', command: 'make test' });
    // Outside the call, a record has no actor of its own (the trail's default applies).
    sink.record({ type: 'workspace.start' });
    assert.equal(entries[3]!.actor, undefined);
  });
});

describe('audit: the monitor feed', () => {
  const input = {
    workspace,
    rule: 'cpu',
    type: 'resource_violation' as const,
    severity: 'warning' as const,
    policyItem: 'cpu' as const,
    message: 'CPU at 95 %',
    conditionAt: 1000,
  };

  it('records alerts raised and cleared (not their updates) and breach responses, as the monitor', () => {
    const { sink, entries } = keeping();
    const alerts = new AlertStore();
    const responses = new Emitter<BreachResponseRecord>();
    const feed = new MonitorAuditFeed(sink, { alerts: alerts.onDidChange, responses: responses.event });
    const { alert } = alerts.raise(input);
    alerts.raise({ ...input, message: 'CPU at 97 %' });
    responses.fire({ alert, action: 'pause', ok: false, at: Date.now(), error: 'engine gone' });
    alerts.clear(alert.key);
    feed.dispose();
    alerts.raise({ ...input, rule: 'memory' });
    assert.deepEqual(
      entries.map((entry) => [entry.type, entry.actor, entry.rule, entry.outcome]),
      [
        ['alert.raised', 'monitor', 'cpu', undefined],
        ['breach.response', 'monitor', 'cpu', 'error'],
        ['alert.cleared', 'monitor', 'cpu', undefined],
      ],
    );
    assert.deepEqual([entries[0]!.severity, entries[0]!.alertType, entries[0]!.message], ['warning', 'resource_violation', 'CPU at 95 %']);
    assert.deepEqual(entries[0]!.workspace, { name: 'one', id: 'w1' });
    assert.equal(typeof entries[2]!.heldMs, 'number');
  });

  it('records refused egress seen live, and counts instead of writing past its limit for one workspace', () => {
    const { sink, entries } = keeping();
    const feed = new MonitorAuditFeed(sink, { alerts: () => ({ dispose() {} }), responses: () => ({ dispose() {} }) });
    feed.refused(workspace, { destination: '203.0.113.9', port: 443, protocol: 'tcp' }, 1, Date.now() - 3_600_000);
    assert.equal(entries.length, 0, 'a refusal logged before the monitor watched is not recorded again');
    for (let i = 1; i <= monitorRecordsPerMinute + 25; i++)
      feed.refused(workspace, { destination: `198.51.100.${i}`, protocol: 'tcp', port: 80 }, 1, Date.now());
    feed.refused({ ...workspace, containerId: 'c2', id: 'w2', name: 'two' }, { destination: 'evil.example', protocol: 'dns' }, 1, Date.now());
    assert.equal(entries.length, monitorRecordsPerMinute + 1);
    assert.deepEqual(
      [entries[0]!.type, entries[0]!.destination, entries[0]!.port, entries[0]!.protocol, entries[0]!.attempts],
      ['egress.blocked', '198.51.100.1', 80, 'tcp', 1],
    );
    feed.dispose();
    const suppressed = entries.at(-1)!;
    assert.deepEqual([suppressed.type, suppressed.counts, suppressed.workspace], ['audit.suppressed', { 'egress.blocked': 25 }, { name: 'one', id: 'w1' }]);
  });
});

describe('aicli-ws audit', () => {
  let state: string;
  const saved = { AICLI_STATE_DIR: process.env.AICLI_STATE_DIR, AICLI_AUDIT: process.env.AICLI_AUDIT };
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'aicli-state-'));
    process.env.AICLI_STATE_DIR = state;
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(state, { recursive: true, force: true });
  });

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const { log, error } = console;
    console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
    console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
    try {
      return { code: await main(argv), stdout: out.join('\n'), stderr: err.join('\n') };
    } finally {
      Object.assign(console, { log, error });
    }
  }

  it('prints a table or JSON of the records that pass its filters', async () => {
    const trail = cliAuditTrail('cli');
    const sink = trail.sink().forEngine('default');
    sink.record({ type: 'workspace.create', workspace: { name: 'one', id: 'w1' }, outcome: 'ok', level: 'standard', image: 'aicli/base', folder: '/p' });
    sink.session('exec', { name: 'one', id: 'w1' }, { command: ['ls', '-la'] }).end({ exitCode: 0 });
    trail
      .sink()
      .forEngine('far')
      .record({ type: 'workspace.stop', workspace: { name: 'two', id: 'w2' }, outcome: 'ok', state: 'exited' });
    const all = await cli('audit');
    assert.equal(all.code, 0, all.stderr);
    const [header, ...rows] = all.stdout.split('\n');
    assert.match(header!, /^TIME +TYPE +WORKSPACE +ACTOR +WHAT$/);
    assert.equal(rows.length, 4);
    assert.match(rows[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +workspace\.create +one +cli +standard aicli\/base \/p$/);
    assert.match(rows[2]!, / exec\.end +one +cli +exit 0 \(\d+ ms\) ls -la$/);
    assert.match(rows[3]!, / workspace\.stop +two@far +cli +exited$/);
    const json = await cli('audit', 'one', '--type', 'exec', '--since', '1h', '--json');
    const records = JSON.parse(json.stdout) as AuditRecord[];
    assert.deepEqual(
      records.map((record) => [record.type, record.workspace?.name, record.via]),
      [
        ['exec.start', 'one', 'cli'],
        ['exec.end', 'one', 'cli'],
      ],
    );
    assert.deepEqual(JSON.parse((await cli('audit', '--engine', 'far', '--json')).stdout).length, 1);
    assert.match((await cli('audit', 'nobody')).stdout, /^No audit records match \(in .*\/audit\)\.$/);
  });

  it('refuses a bad --since or --type, and records nothing with AICLI_AUDIT=0', async () => {
    assert.match((await cli('audit', '--since', 'yesterday')).stderr, /^Error: --since takes an age like 30m/);
    assert.match((await cli('audit', '--type', 'nope')).stderr, /^Error: Unknown audit record type "nope"/);
    assert.equal((await cli('audit', 'a', 'b')).code, 2);
    process.env.AICLI_AUDIT = '0';
    cliAuditTrail('cli')
      .sink()
      .record({ type: 'workspace.start', workspace: { name: 'one' } });
    assert.deepEqual(cliAuditTrail('cli').read(), []);
  });
});
