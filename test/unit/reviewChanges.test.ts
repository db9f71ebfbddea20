import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeChanges } from '../../src/workspace/review/changes';
import { relativePath } from '../../src/workspace/review/service';
import { emptyReviewState } from '../../src/workspace/review/state';
import { UpperEntry } from '../../src/workspace/review/upper';
import { makeFolder, removeFolder } from '../support/folders';

const file = (path: string, content: string, mode = 0o644): UpperEntry => {
  const data = Buffer.from(content);
  return { path, type: 'file', mode, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), head: data, content: data };
};

describe('review: the change list against the folder', () => {
  let folder: string;
  const past = Date.now() - 60_000;
  beforeEach(() => {
    folder = makeFolder('aicli-changes-');
    mkdirSync(join(folder, 'dir/deep'), { recursive: true });
    for (const [path, content] of Object.entries({ 'a.txt': 'a\n', 'same.txt': 'same\n', 'dir/one': '1', 'dir/deep/two': '2', 'gone/x': 'x' })) {
      mkdirSync(join(folder, path, '..'), { recursive: true });
      writeFileSync(join(folder, path), content);
      utimesSync(join(folder, path), past / 1000, past / 1000);
    }
  });
  afterEach(() => removeFolder(folder));

  const changes = (entries: UpperEntry[], boxHas: (path: string) => boolean = () => true, createdAt = Date.now()) =>
    computeChanges({ folder, entries, state: emptyReviewState(createdAt), protectedPaths: ['.git', '.vscode'], boxHas: async (path) => boxHas(path) });

  it('a copy-up with the same bytes and mode is no change; other bytes are, and so is a mode alone', async () => {
    const listed = await changes([file('same.txt', 'same\n'), file('a.txt', 'A\n'), file('dir/one', '1', 0o755)]);
    assert.deepEqual(
      listed.map((change) => [change.path, change.kind]),
      [
        ['a.txt', 'modified'],
        ['dir/one', 'mode'],
      ],
    );
  });

  it('a whiteout on a folder directory deletes every file below it; an opaque directory hides the folder’s files in it', async () => {
    const listed = await changes(
      [{ path: 'gone', type: 'whiteout' }, { path: 'dir', type: 'dir', mode: 0o755, mtimeMs: Date.now() + 5000 }, file('dir/new', 'n')],
      (path) => !path.startsWith('dir/'),
    );
    assert.deepEqual(
      listed.map((change) => [change.path, change.kind]),
      [
        ['dir/deep/two', 'deleted'],
        ['dir/new', 'added'],
        ['dir/one', 'deleted'],
        ['gone/x', 'deleted'],
      ],
    );
  });

  it('a directory the box only touched (not opaque) hides nothing', async () => {
    const listed = await changes([{ path: 'dir', type: 'dir', mode: 0o755, mtimeMs: Date.now() + 5000 }, file('dir/new', 'n')], () => true);
    assert.deepEqual(
      listed.map((change) => change.path),
      ['dir/new'],
    );
  });

  it('does not ask the engine about a directory that cannot be opaque: one with a whiteout, or one older than the create', async () => {
    const asked: string[] = [];
    const boxHas = (path: string): boolean => {
      asked.push(path);
      return false;
    };
    const createdAt = Date.now();
    await changes([{ path: 'dir', type: 'dir', mode: 0o755, mtimeMs: past }, file('dir/new', 'n')], boxHas, createdAt);
    await changes(
      [
        { path: 'dir', type: 'dir', mode: 0o755, mtimeMs: createdAt + 5000 },
        { path: 'dir/one', type: 'whiteout' },
      ],
      boxHas,
      createdAt,
    );
    assert.deepEqual(asked, []);
    await changes([{ path: 'dir', type: 'dir', mode: 0o755, mtimeMs: createdAt + 5000 }, file('dir/new', 'n')], boxHas, createdAt);
    assert.equal(asked.length, 1);
  });

  it('a folder file changed after the box last saw it is a conflict; before that it is not', async () => {
    const [before] = await changes([file('a.txt', 'box\n')], () => true, Date.now() + 1000);
    assert.equal(before?.conflict, false);
    const [after] = await changes([file('a.txt', 'box\n')], () => true, past - 1000);
    assert.equal(after?.conflict, true);
  });

  it('never reads through a link in the folder: a path below one is "added", not compared with what the link points at', async () => {
    symlinkSync('/etc', join(folder, 'etc-link'));
    const [change] = await changes([file('etc-link/passwd', 'box\n')]);
    assert.equal(change?.kind, 'added');
    assert.equal(change?.host, undefined);
  });

  it('marks protected paths and binary files', async () => {
    const listed = await changes([file('.git/config', '[core]\n'), file('.vscode/tasks.json', '{}'), file('blob', '\u0000bin')]);
    assert.deepEqual(
      listed.map((change) => [change.path, change.protected, change.binary]),
      [
        ['.git/config', true, false],
        ['.vscode/tasks.json', true, false],
        ['blob', false, true],
      ],
    );
  });

  it('takes paths relative to the folder or under it, and refuses ones that climb out', () => {
    assert.equal(relativePath('/p', 'src/a.ts'), 'src/a.ts');
    assert.equal(relativePath('/p', '/p/src/a.ts'), 'src/a.ts');
    assert.equal(relativePath('/p', './src//a.ts'), 'src/a.ts');
    assert.throws(() => relativePath('/p', '../etc/passwd'), /not a path inside the project folder/);
    assert.throws(() => relativePath('/p', '/etc/passwd'), /not a path inside the project folder/);
  });
});
