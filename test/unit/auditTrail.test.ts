import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { auditDirectory, stateDirectory } from '../../src/audit/location';
import { maxLineBytes } from '../../src/audit/line';
import { checkAuditTypes, parseSince, readAuditTrail } from '../../src/audit/reader';
import { AuditRecord } from '../../src/audit/record';
import { auditFiles, currentFileName } from '../../src/audit/segments';
import { AuditTrail, AuditTrailOptions, auditJsonLines } from '../../src/audit/trail';

const run = promisify(execFile);

describe('audit trail: the store', () => {
  let directory: string;
  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), 'aicli-audit-')), 'audit');
  });
  afterEach(() => rmSync(join(directory, '..'), { recursive: true, force: true }));

  const trail = (options: Partial<AuditTrailOptions> = {}): AuditTrail => new AuditTrail({ directory, via: 'cli', actor: 'cli', ...options });
  const lines = (): string[] => readFileSync(join(directory, currentFileName), 'utf8').split('\n').filter(Boolean);

  it('appends one JSON line a record, with the common fields stamped, in a folder only the user reads', () => {
    const audit = trail({ now: () => Date.parse('2025-01-31T12:00:00.000Z') });
    audit.append({ type: 'workspace.start', workspace: { name: 'ws', id: 'w1' }, engine: 'default', outcome: 'ok', state: 'running' });
    audit.append({ type: 'alert.raised', actor: 'monitor', atMs: Date.parse('2025-01-31T11:59:59.000Z'), rule: 'cpu' });
    const [first, second] = lines().map((line) => JSON.parse(line) as AuditRecord);
    assert.deepEqual(first, {
      at: '2025-01-31T12:00:00.000Z',
      type: 'workspace.start',
      actor: 'cli',
      via: 'cli',
      pid: process.pid,
      engine: 'default',
      workspace: { name: 'ws', id: 'w1' },
      outcome: 'ok',
      state: 'running',
    });
    assert.deepEqual([second?.actor, second?.at, second?.rule], ['monitor', '2025-01-31T11:59:59.000Z', 'cpu']);
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    assert.equal(statSync(join(directory, currentFileName)).mode & 0o777, 0o600);
  });

  it('writes nothing while it is switched off (read on every record)', () => {
    let enabled = false;
    const audit = trail({ enabled: () => enabled });
    audit.append({ type: 'exec.start', command: ['true'] });
    assert.deepEqual(auditFiles(directory), []);
    enabled = true;
    audit.append({ type: 'exec.start', command: ['true'] });
    assert.equal(lines().length, 1);
  });

  it('cuts long values so a line stays under the bound, and says what it cut', () => {
    const audit = trail();
    audit.append({ type: 'exec.start', command: ['sh', '-c', 'x'.repeat(100_000)], many: Array.from({ length: 500 }, (_, i) => i) });
    audit.append({ type: 'tool.call', input: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'é'.repeat(2000)])) });
    const [exec, tool] = lines();
    for (const line of [exec!, tool!]) assert.ok(Buffer.byteLength(line) + 1 <= maxLineBytes, `${Buffer.byteLength(line)} bytes`);
    const record = JSON.parse(exec!) as AuditRecord;
    assert.match((record.command as string[])[2]!, /^x{1024}… \[98976 more characters\]$/);
    assert.equal((record.many as unknown[]).length, 51);
    assert.equal((JSON.parse(tool!) as AuditRecord).truncated, true);
  });

  it('rotates before a file would pass its bound, keeps only so many files, and reads across them in order', () => {
    const limits = { maxFileBytes: 2000, keptFiles: 3 };
    let now = Date.parse('2025-01-31T12:00:00.000Z');
    const audit = trail({ limits, now: () => now });
    for (let i = 0; i < 200; i++) {
      audit.append({ type: 'exec.start', workspace: { name: `ws${i % 2}` }, command: ['echo', String(i)] });
      now += 1000;
    }
    const files = auditFiles(directory);
    assert.equal(files.length, 3);
    assert.equal(readdirSync(directory).length, 3);
    for (const file of files) assert.ok(statSync(file.path).size <= limits.maxFileBytes, `${file.path}: ${statSync(file.path).size}`);
    const kept = readAuditTrail(directory).map((record) => Number((record.command as string[])[1]));
    assert.ok(kept.length > 20, `${kept.length} kept`);
    // The newest records, none missing in between, oldest first.
    assert.deepEqual(
      kept,
      Array.from({ length: kept.length }, (_, i) => 200 - kept.length + i),
    );
    const rotated = files.filter((file) => file.rotatedAtMs !== undefined).map((file) => file.rotatedAtMs!);
    assert.deepEqual(
      rotated,
      [...rotated].sort((a, b) => a - b),
    );
  });

  it('filters by workspace (name or id), engine, type or group, and since', () => {
    let now = Date.parse('2025-01-31T12:00:00.000Z');
    const audit = trail({ now: () => now, limits: { maxFileBytes: 600, keptFiles: 50 } });
    const entries = [
      { type: 'workspace.create', workspace: { name: 'a', id: 'ida' } },
      { type: 'exec.start', workspace: { name: 'a', id: 'ida' }, engine: 'far' },
      { type: 'exec.end', workspace: { name: 'b', id: 'idb' }, exitCode: 3 },
      { type: 'alert.raised', workspace: { name: 'a', id: 'ida' } },
      { type: 'tool.call', tool: 'workspace_list' },
    ] as const;
    for (const entry of entries) {
      audit.append({ ...entry, engine: 'engine' in entry ? entry.engine : 'default' });
      now += 3_600_000;
    }
    assert.ok(auditFiles(directory).length > 1, 'spread over rotated files');
    const types = (filter: Parameters<typeof readAuditTrail>[1]): string[] => readAuditTrail(directory, filter).map((record) => record.type);
    assert.deepEqual(types({}), ['workspace.create', 'exec.start', 'exec.end', 'alert.raised', 'tool.call']);
    assert.deepEqual(types({ workspace: 'a' }), ['workspace.create', 'exec.start', 'alert.raised']);
    assert.deepEqual(types({ workspace: 'idb' }), ['exec.end']);
    assert.deepEqual(types({ types: ['exec'] }), ['exec.start', 'exec.end']);
    assert.deepEqual(types({ types: ['exec.end', 'tool.call'] }), ['exec.end', 'tool.call']);
    assert.deepEqual(types({ engine: 'far' }), ['exec.start']);
    assert.deepEqual(types({ sinceMs: parseSince('150m', now) }), ['alert.raised', 'tool.call']);
    assert.deepEqual(types({ sinceMs: parseSince('2025-01-31T14:00Z'), workspace: 'a' }), ['alert.raised']);
  });

  it('skips a line cut short (a crash, a full disk) and reads an absent trail as empty', () => {
    assert.deepEqual(readAuditTrail(directory), []);
    trail().append({ type: 'exec.start', command: ['true'] });
    writeFileSync(join(directory, currentFileName), '{"at":"2025-01-31T12:00:00.000Z","type":"exec.st', { flag: 'a' });
    trail().append({ type: 'exec.end', exitCode: 0 });
    assert.deepEqual(
      readAuditTrail(directory).map((record) => record.type),
      ['exec.start', 'exec.end'],
      'the record written after the cut one is read',
    );
  });

  it('reports a write error once (a folder in the way, a full disk), never throws, and again after a recovery', () => {
    const errors: string[] = [];
    const audit = trail({ onError: (message) => errors.push(message) });
    mkdirSync(join(directory, currentFileName), { recursive: true });
    for (let i = 0; i < 5; i++) audit.append({ type: 'exec.start', command: ['true'] });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^Cannot write the audit trail in .*: EISDIR.*Actions go on, unrecorded/);
    rmSync(join(directory, currentFileName), { recursive: true });
    audit.append({ type: 'exec.start', command: ['true'] });
    assert.equal(lines().length, 1);
    // /dev/full: every write fails with ENOSPC, as on a full disk.
    rmSync(join(directory, currentFileName));
    symlinkSync('/dev/full', join(directory, currentFileName));
    audit.append({ type: 'exec.start', command: ['true'] });
    audit.append({ type: 'exec.end', exitCode: 0 });
    assert.equal(errors.length, 2);
    assert.match(errors[1]!, /ENOSPC/);
  });

  it('reports a state folder that is a file, and survives an error callback that throws', () => {
    mkdirSync(join(directory, '..'), { recursive: true });
    writeFileSync(directory, 'not a folder');
    const audit = trail({
      onError: () => {
        throw new Error('broken log');
      },
    });
    assert.doesNotThrow(() => audit.append({ type: 'exec.start', command: ['true'] }));
    assert.throws(() => audit.read(), /ENOTDIR/);
  });

  it('keeps every line whole when two processes append 1,000 records each, also across rotations', async function () {
    this.timeout(60_000);
    const trailModule = join(__dirname, '..', '..', 'src', 'audit', 'trail.js');
    const writer = (tag: string, maxFileBytes: number): Promise<unknown> =>
      run(process.execPath, [
        '-e',
        `const { AuditTrail } = require(${JSON.stringify(trailModule)});
         const trail = new AuditTrail({ directory: ${JSON.stringify(directory)}, via: 'cli', actor: 'cli',
           limits: { maxFileBytes: ${maxFileBytes}, keptFiles: 1000 }, onError: (m) => { console.error(m); process.exitCode = 1; } });
         for (let i = 0; i < 1000; i++) trail.append({ type: 'exec.start', command: ['${tag}', String(i), 'x'.repeat(200 + (i % 7) * 300)] });`,
      ]);
    for (const maxFileBytes of [1024 * 1024 * 1024, 64 * 1024]) {
      rmSync(directory, { recursive: true, force: true });
      await Promise.all([writer('a', maxFileBytes), writer('b', maxFileBytes)]);
      const files = auditFiles(directory).map((file) => readFileSync(file.path, 'utf8').split('\n').filter(Boolean));
      const parsed = files.map((lines) => lines.map((line) => JSON.parse(line) as AuditRecord));
      assert.equal(parsed.flat().length, 2000, `${maxFileBytes}: every line is one whole record`);
      const numbers = (records: AuditRecord[], tag: string): number[] =>
        records.filter((record) => (record.command as string[])[0] === tag).map((record) => Number((record.command as string[])[1]));
      for (const tag of ['a', 'b']) {
        assert.deepEqual(
          numbers(parsed.flat(), tag).sort((x, y) => x - y),
          Array.from({ length: 1000 }, (_, i) => i),
          `${tag}: all of its lines`,
        );
        // Files rotated within one millisecond have no order between them; inside each file a writer's lines keep theirs.
        for (const records of parsed) {
          const inFile = numbers(records, tag);
          assert.deepEqual(
            inFile,
            [...inFile].sort((x, y) => x - y),
            `${tag}: in its order within a file`,
          );
        }
      }
      if (maxFileBytes < 1024 * 1024) assert.ok(auditFiles(directory).length > 10, 'rotated many times while both wrote');
    }
  });
});

describe('audit trail: locations, --since, --type, export', () => {
  it('keeps the trail in AICLI_STATE_DIR, else XDG_STATE_HOME, else ~/.local/state', () => {
    assert.equal(auditDirectory({ AICLI_STATE_DIR: '/s' }, '/home/u'), '/s/audit');
    assert.equal(stateDirectory({ XDG_STATE_HOME: '/x' }, '/home/u'), '/x/aicli-workspaces');
    assert.equal(auditDirectory({}, '/home/u'), '/home/u/.local/state/aicli-workspaces/audit');
  });

  it('reads ages and ISO times, and refuses anything else with the forms it takes', () => {
    const now = Date.parse('2025-01-31T12:00:00.000Z');
    assert.equal(parseSince('30s', now), now - 30_000);
    assert.equal(parseSince('30m', now), now - 1_800_000);
    assert.equal(parseSince('1h', now), now - 3_600_000);
    assert.equal(parseSince('2d', now), now - 172_800_000);
    assert.equal(parseSince('2025-01-30T10:00:00Z', now), Date.parse('2025-01-30T10:00:00Z'));
    for (const bad of ['yesterday', '1y', '-1h', '12']) assert.throws(() => parseSince(bad, now), /--since takes an age like 30m/);
  });

  it('takes a type or a group of types, and names them all for a wrong one', () => {
    assert.deepEqual(checkAuditTypes(['exec', 'alert.raised', 'workspace']), ['exec', 'alert.raised', 'workspace']);
    assert.throws(() => checkAuditTypes(['exce']), /Unknown audit record type "exce"; the types are workspace\.create, .*exec\.start/);
  });

  it('exports JSON lines, one record a line', () => {
    const records = [{ at: '2025-01-31T12:00:00.000Z', type: 'exec.start', actor: 'user', via: 'extension', pid: 1 }] as AuditRecord[];
    assert.equal(auditJsonLines(records), `${JSON.stringify(records[0])}\n`);
  });
});
