import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Change } from '../../src/workspace/review/changes';
import { diffStat, unifiedDiff, unifiedHunks } from '../../src/workspace/review/unifiedDiff';

/** Applies hunks to a text the way `patch` does; throws when a context or removed line does not match. */
function applyHunks(before: string, hunks: string[]): string {
  const old = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let at = 0;
  for (const line of hunks) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const start = Math.max(0, Number(header[1]) - (header[2] === '0' ? 0 : 1));
      while (at < start) out.push(old[at++] as string);
      continue;
    }
    const body = line.slice(1);
    if (line[0] === '+') out.push(body);
    else {
      assert.equal(old[at], body, `line ${at + 1}`);
      at++;
      if (line[0] === ' ') out.push(body);
    }
  }
  while (at < old.length) out.push(old[at++] as string);
  return out.length ? `${out.join('\n')}\n` : '';
}

function randomText(seed: number, lines: number): string {
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: lines }, () => `line ${next() % 7}`).join('\n') + (lines ? '\n' : '');
}

describe('unified diff', () => {
  it('turns the old text into the new one, for random texts (checked by applying the hunks)', () => {
    for (let seed = 1; seed < 60; seed++) {
      const before = randomText(seed, seed % 23);
      const after = randomText(seed * 7, (seed * 3) % 19);
      assert.equal(applyHunks(before, unifiedHunks(before, after)), after, `seed ${seed}`);
    }
  });

  it('prints the same hunks as diff -u where the edit is unambiguous', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aicli-diff-'));
    try {
      const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
      const after = before.replace('line 5\n', 'line five\n').replace('line 12\n', '').replace('line 17\n', '').concat('line 21\n');
      writeFileSync(join(dir, 'a'), before);
      writeFileSync(join(dir, 'b'), after);
      let expected = '';
      try {
        execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
      } catch (err) {
        expected = (err as { stdout: string }).stdout;
      }
      assert.deepEqual(unifiedHunks(before, after), expected.split('\n').slice(2, -1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what git says for new, deleted, binary, mode-only and link changes', () => {
    const base = { protected: false, conflict: false, binary: false };
    const added: Change = { ...base, path: 'n.txt', kind: 'added', box: { type: 'file', mode: 0o644, size: 2, sha256: '' } };
    assert.deepEqual(unifiedDiff(added, undefined, Buffer.from('n\n')), [
      'diff --git a/n.txt b/n.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/n.txt',
      '@@ -0,0 +1 @@',
      '+n',
    ]);
    const mode: Change = {
      ...base,
      path: 's.sh',
      kind: 'mode',
      host: { type: 'file', mode: 0o644, size: 1, changedAt: 0 },
      box: { type: 'file', mode: 0o755, size: 1, sha256: '' },
    };
    assert.deepEqual(unifiedDiff(mode, undefined, undefined), ['diff --git a/s.sh b/s.sh', 'old mode 100644', 'new mode 100755']);
    const binary: Change = { ...mode, path: 'b.bin', kind: 'modified', binary: true, box: { type: 'file', mode: 0o644, size: 3, sha256: '' } };
    assert.equal(unifiedDiff(binary, Buffer.from([0, 1]), Buffer.from([0, 2])).at(-1), 'Binary files a/b.bin and b/b.bin differ');
    const link: Change = { ...base, path: 'l', kind: 'added', box: { type: 'symlink', mode: 0o777, target: '/etc/passwd' } };
    assert.deepEqual(unifiedDiff(link, undefined, undefined).slice(1), ['new file mode 120000', '--- /dev/null', '+++ b/l', '@@ -0,0 +1 @@', '+/etc/passwd']);
    const deleted: Change = { ...base, path: 'd', kind: 'deleted', host: { type: 'file', mode: 0o600, size: 2, changedAt: 0 } };
    assert.deepEqual(unifiedDiff(deleted, Buffer.from('d\n'), undefined).slice(1), [
      'deleted file mode 100600',
      '--- a/d',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-d',
    ]);
    assert.deepEqual(diffStat([added, deleted]), [' n.txt | added', ' d     | deleted', ' 2 files changed']);
  });
});
