import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineConnection } from '../../src/engine/connection';
import { InputError } from '../../src/engine/errors';
import { planCleanup } from '../../src/workspace/cleanup';
import { Change } from '../../src/workspace/review/changes';
import { WorkspaceChanges } from '../../src/workspace/review/service';
import { Workspace } from '../../src/workspace/model';
import { WorkspaceService } from '../../src/workspace/service';
import { connect } from '../support/engine';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { sweepRun } from '../support/sweep';
import { execIn, testRunId, testWorkspaceService } from './support';

const run = promisify(execFile);

/** A command on the host as uid 1000, as the user of a real machine runs it. */
function asUser(cwd: string, script: string): Promise<{ stdout: string }> {
  return run('setpriv', [`--reuid=${folderUser.uid}`, `--regid=${folderUser.gid}`, '--clear-groups', 'sh', '-c', script], {
    cwd,
    env: { PATH: '/usr/bin:/bin' },
  });
}

/** Every entry below a folder: type, mode, bytes' hash, link target, mtime (links never followed). */
function treeOf(folder: string, relative = ''): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const name of readdirSync(join(folder, relative)).sort()) {
    const path = relative ? `${relative}/${name}` : name;
    const stats = lstatSync(join(folder, path));
    const what = stats.isSymbolicLink()
      ? `link ${readlinkSync(join(folder, path))}`
      : stats.isDirectory()
        ? 'dir'
        : `file ${createHash('sha256')
            .update(readFileSync(join(folder, path)))
            .digest('hex')}`;
    tree[path] = `${what} mode ${(stats.mode & 0o7777).toString(8)} uid ${stats.uid} mtime ${stats.mtimeMs}`;
    if (stats.isDirectory()) Object.assign(tree, treeOf(folder, path));
  }
  return tree;
}

const kinds = (changes: Change[]): Record<string, string> => Object.fromEntries(changes.map((change) => [change.path, change.kind]));

describe('review mode: the box works on its own view, the folder changes only on apply (uid-1000 folder, real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let service: WorkspaceService;
  let changes: WorkspaceChanges;
  let folder: string;
  let workspace: Workspace;
  let original: Record<string, string>;

  const box = async (script: string): Promise<string> => {
    const result = await execIn(service, workspace.name, ['sh', '-c', script]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };

  before(async () => {
    connection = await connect();
    service = testWorkspaceService();
    changes = new WorkspaceChanges(
      async () => connection,
      () => ['.git/config', '.vscode'],
    );
    folder = makeFolder('aicli-review-', { owner: 'user' });
    await asUser(
      folder,
      'mkdir -p sub .git/hooks d && echo 1 > d/1 && echo 2 > d/2 && echo 3 > d/3 && echo hello > a.txt && echo b > sub/b.txt && echo keep > keep.txt && echo "#!/bin/sh" > script.sh && ' +
        'printf "[core]\\n" > .git/config && echo same > same.txt && printf "\\000\\001bin" > blob.bin && echo x > x.txt',
    );
    original = treeOf(folder);
    ({ workspace } = await service.create({ folder, name: `review-${testRunId}` }));
  });

  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
    if (folder) removeFolder(folder);
  });

  it('is the default on a local engine: the box sees the folder as it was, and its writes leave the folder byte for byte', async () => {
    assert.equal(workspace.labels['aicli.workspace.mount'], 'review');
    assert.equal(await box('cat a.txt'), 'hello\n');
    await box(
      'echo changed > a.txt && rm d/1 d/2 d/3 && rm sub/b.txt && echo new > new.txt && mv keep.txt renamed.txt && chmod +x script.sh && ' +
        'echo "[alias] x = !sh" >> .git/config && ln -s /etc/passwd passwd-link && ln -s ../../outside up-link && printf "\\000\\002bin" > blob.bin && ' +
        'echo same > same.txt',
    );
    assert.deepEqual(treeOf(folder), original);
  });

  it('lists exactly what the box changed, protected paths marked, binary files marked', async () => {
    const listed = await changes.list(workspace);
    assert.deepEqual(kinds(listed), {
      '.git/config': 'modified',
      'a.txt': 'modified',
      'blob.bin': 'modified',
      // Overlayfs writes one whiteout per directory and hard-links the later ones to it.
      'd/1': 'deleted',
      'd/2': 'deleted',
      'd/3': 'deleted',
      'keep.txt': 'deleted',
      'new.txt': 'added',
      'passwd-link': 'added',
      'renamed.txt': 'added',
      'script.sh': 'mode',
      'sub/b.txt': 'deleted',
      'up-link': 'added',
    });
    assert.deepEqual(
      listed.filter((change) => change.protected).map((change) => change.path),
      ['.git/config'],
    );
    assert.deepEqual(
      listed.filter((change) => change.binary).map((change) => change.path),
      ['blob.bin'],
    );
    assert.equal(listed.find((change) => change.path === 'up-link')?.box?.type, 'symlink');
  });

  it('applies one file: exactly that file changes on the host, owned by the folder’s owner', async () => {
    await changes.apply(workspace, ['a.txt']);
    const after = treeOf(folder);
    assert.equal(readFileSync(join(folder, 'a.txt'), 'utf8'), 'changed\n');
    assert.equal(statSync(join(folder, 'a.txt')).uid, folderUser.uid);
    const { ['a.txt']: _changed, ...rest } = after;
    const { ['a.txt']: _was, ...restBefore } = original;
    assert.deepEqual(rest, restBefore);
    assert.ok(!(await changes.list(workspace)).some((change) => change.path === 'a.txt'));
  });

  it('refuses bad input and writes nothing: a path outside the folder, one that did not change, a protected one without its own confirmation', async () => {
    const tree = treeOf(folder);
    await assert.rejects(
      changes.apply(workspace, ['../outside']),
      (err: unknown) => err instanceof InputError && /not a path inside the project folder/.test(err.message),
    );
    await assert.rejects(changes.apply(workspace, ['x.txt']), (err: unknown) => err instanceof InputError && /has no change/.test(err.message));
    await assert.rejects(changes.apply(workspace, ['.git/config']), (err: unknown) => err instanceof InputError && /protected path/.test(err.message));
    await assert.rejects(service.find('no-such-workspace'), /No workspace "no-such-workspace"/);
    assert.deepEqual(treeOf(folder), tree);
  });

  it('apply all leaves protected paths out; links arrive as links and nothing outside the folder is written', async () => {
    const passwd = readFileSync('/etc/passwd');
    const applied = await changes.apply(workspace, 'all');
    assert.ok(!applied.some((change) => change.path === '.git/config'));
    assert.equal(readlinkSync(join(folder, 'passwd-link')), '/etc/passwd');
    assert.equal(readlinkSync(join(folder, 'up-link')), '../../outside');
    assert.ok(!existsSync(join(folder, 'keep.txt')) && !existsSync(join(folder, 'sub/b.txt')));
    assert.equal(readFileSync(join(folder, 'renamed.txt'), 'utf8'), 'keep\n');
    assert.equal(statSync(join(folder, 'script.sh')).mode & 0o111, 0o111);
    assert.deepEqual(readFileSync('/etc/passwd'), passwd);
    assert.ok(!existsSync(join(folder, '..', '..', 'outside')));
    assert.equal(readFileSync(join(folder, '.git/config'), 'utf8'), '[core]\n');
    assert.deepEqual(kinds(await changes.list(workspace)), { '.git/config': 'modified' });
    await changes.apply(workspace, ['.git/config'], { includeProtected: true });
    assert.match(readFileSync(join(folder, '.git/config'), 'utf8'), /alias/);
  });

  it('a file the user changed on the host since is a conflict: not overwritten without confirmation', async () => {
    await asUser(folder, 'echo "user edit" > x.txt');
    await box('echo "box edit" > x.txt');
    const [change] = (await changes.list(workspace)).filter((candidate) => candidate.path === 'x.txt');
    assert.equal(change?.conflict, true);
    await assert.rejects(changes.apply(workspace, ['x.txt']), /changed in the folder since/);
    assert.equal(readFileSync(join(folder, 'x.txt'), 'utf8'), 'user edit\n');
  });

  it('discard makes the box’s view equal to the folder again', async () => {
    await box('echo again > a.txt && rm renamed.txt && echo more > more.txt');
    assert.ok((await changes.list(workspace)).length >= 3);
    await changes.discard(workspace, 'all');
    assert.deepEqual(await changes.list(workspace), []);
    assert.equal(await box('cat a.txt x.txt renamed.txt; test ! -e more.txt && echo gone'), 'changed\nuser edit\nkeep\ngone\n');
  });

  it('cleanup keeps an expired workspace with unapplied changes unless told to include it', async () => {
    await box('echo unapplied > cleanup.txt');
    await service.lifecycle(workspace.name, 'stop');
    const options = { maxAgeMs: 0, labels: { 'aicli.test.run': testRunId }, now: Date.now() + 1000 };
    const plan = await planCleanup(connection, options);
    assert.ok(!plan.workspaces.some((candidate) => candidate.id === workspace.id), 'an unapplied change did not keep it');
    assert.deepEqual(
      plan.kept?.filter((kept) => kept.id === workspace.id),
      [{ id: workspace.id, name: workspace.name, unapplied: 1 }],
    );
    const told = await planCleanup(connection, { ...options, includeUnapplied: true });
    assert.ok(told.workspaces.some((candidate) => candidate.id === workspace.id));
    await service.lifecycle(workspace.name, 'start');
    await changes.discard(workspace, 'all');
  });

  it('removing the workspace takes its view and review volume along; the folder stays', async () => {
    const tree = treeOf(folder);
    await service.remove(workspace.name);
    const volumes = (await connection.docker.listVolumes()).Volumes ?? [];
    assert.ok(!volumes.some((volume) => volume.Name.endsWith(workspace.id)));
    const reviewers = await connection.docker.listContainers({ all: true, filters: JSON.stringify({ name: [`aicli-reviewer-${workspace.id}`] }) });
    assert.equal(reviewers.length, 0);
    assert.deepEqual(treeOf(folder), tree);
  });
});
