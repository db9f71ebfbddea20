// aicli-ws's output through a pipe to a slow reader (`aicli-ws audit --json | less`): all of it.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditDirectory } from '../../src/audit/location';
import { AuditTrail } from '../../src/audit/trail';
import { cliPath } from '../support/paths';

describe('aicli-ws output through a pipe', function () {
  this.timeout(60_000);
  let state: string;

  before(() => {
    state = mkdtempSync(join(tmpdir(), 'aicli-pipe-'));
    const trail = new AuditTrail({ directory: auditDirectory({ AICLI_STATE_DIR: state }, tmpdir()), actor: 'cli', via: 'cli' });
    for (let i = 0; i < 3000; i++)
      trail.append({ type: 'exec.start', session: `s${i}`, workspace: { id: `w${i}`, name: `box-${i}` }, command: `echo ${'x'.repeat(100)} ${i}` });
  });
  after(() => rmSync(state, { recursive: true, force: true }));

  it('a reader that waits a second before reading still gets all 3,000 records (about 1 MB, far past the 64 KiB a pipe holds)', async () => {
    const child = spawn(process.execPath, [cliPath, 'audit', '--json'], {
      env: { ...process.env, AICLI_STATE_DIR: state },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.pause(); // nothing is read: the pipe fills and the CLI's writes wait in its queue
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const closed = new Promise((resolve) => child.stdout.on('close', resolve));
    const early = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000))]);
    assert.equal(early, false, 'the CLI exited before its output was read');
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    const code = await exited;
    await closed;
    assert.equal(code, 0);
    const records = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { command: string }[];
    assert.equal(records.length, 3000);
    assert.match(records[2999]?.command ?? '', / 2999$/);
  });
});
