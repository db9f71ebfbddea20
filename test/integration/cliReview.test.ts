import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineConnection } from '../../src/engine/connection';
import { connect } from '../support/engine';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { cliLabelArgs } from '../support/labels';
import { aicli } from '../support/cli';
import { sweepRun } from '../support/sweep';
import { testLabel, testRunId } from './support';

const run = promisify(execFile);

describe('aicli-ws diff / apply / discard of a review workspace (uid-1000 folder, real engine)', function () {
  this.timeout(120_000);
  let connection: EngineConnection;
  let folder: string;
  const name = `cli-review-${process.pid}`;

  before(async () => {
    connection = await connect();
    folder = makeFolder('aicli-cli-review-', { owner: 'user' });
    await run(
      'setpriv',
      [
        `--reuid=${folderUser.uid}`,
        `--regid=${folderUser.gid}`,
        '--clear-groups',
        'sh',
        '-c',
        'mkdir .git && printf "[core]\\n" > .git/config && printf "one\\ntwo\\n" > a.txt',
      ],
      { cwd: folder },
    );
    const created = await aicli('create', '--folder', folder, '--name', name, ...cliLabelArgs(testLabel), '--json');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).labels?.['aicli.workspace.mount'] ?? 'review', 'review');
    const changed = await aicli('exec', name, '--', 'sh', '-c', 'printf "one\\n2\\n" > a.txt && echo new > b.txt && echo "[x]" >> .git/config');
    assert.equal(changed.code, 0, changed.stderr);
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
    if (folder) removeFolder(folder);
  });

  it('diff prints a git-style diff and --stat a line per file; exit 3 says there are changes', async () => {
    const stat = await aicli('diff', name, '--stat');
    assert.equal(stat.code, 3, stat.stderr);
    assert.deepEqual(stat.stdout.trimEnd().split('\n'), [
      ' .git/config | modified (protected)',
      ' a.txt       | modified',
      ' b.txt       | added',
      ' 3 files changed',
    ]);
    const one = await aicli('diff', name, 'a.txt');
    assert.equal(one.stdout, 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n');
  });

  it('apply refuses a path outside the folder, one that did not change and an unknown workspace, writing nothing', async () => {
    for (const args of [
      [name, '../outside'],
      [name, 'README.md'],
      ['no-such-ws', 'a.txt'],
    ]) {
      const refused = await aicli('apply', ...args);
      assert.notEqual(refused.code, 0);
      assert.notEqual(refused.code, 3);
      assert.match(refused.stderr, /not a path inside the project folder|has no change|No workspace "no-such-ws"/);
    }
    assert.equal(readFileSync(join(folder, 'a.txt'), 'utf8'), 'one\ntwo\n');
  });

  it('apply --all leaves the protected path (exit 3); --include-protected applies it by name; files belong to the folder’s owner', async () => {
    const all = await aicli('apply', name, '--all');
    assert.equal(all.code, 3, all.stderr);
    assert.match(all.stderr, /Left unapplied: \.git\/config \(protected\)/);
    assert.equal(readFileSync(join(folder, 'b.txt'), 'utf8'), 'new\n');
    assert.equal(statSync(join(folder, 'b.txt')).uid, folderUser.uid);
    assert.equal(readFileSync(join(folder, '.git/config'), 'utf8'), '[core]\n');
    const refused = await aicli('apply', name, '.git/config');
    assert.match(refused.stderr, /protected path/);
    const protectedOne = await aicli('apply', name, '.git/config', '--include-protected');
    assert.equal(protectedOne.code, 0, protectedOne.stderr);
    assert.match(readFileSync(join(folder, '.git/config'), 'utf8'), /\[x\]/);
  });

  it('rm refuses a workspace with unapplied changes unless --force; discard brings the box back to the folder', async () => {
    await aicli('exec', name, '--', 'sh', '-c', 'echo late > late.txt');
    const refused = await aicli('rm', name);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /1 unapplied change/);
    const discarded = await aicli('discard', name);
    assert.equal(discarded.code, 0, discarded.stderr);
    assert.equal((await aicli('diff', name, '--stat')).code, 0);
    await aicli('exec', name, '--', 'sh', '-c', 'echo again > late.txt');
    assert.equal((await aicli('rm', name, '--force')).code, 0);
  });
});
