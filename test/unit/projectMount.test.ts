import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/engine/errors';
import { isolationPlan } from '../../src/isolation/levels';
import { defaultProtectedPaths, normalizeProtectedPaths, protectedMounts } from '../../src/isolation/projectMount';

function refused(entries: unknown[], entry: string): void {
  assert.throws(
    () => normalizeProtectedPaths(entries),
    (err: unknown) => {
      assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
      assert.equal(err.field, 'protectedPaths');
      assert.ok(err.message.includes(`"${entry}"`), `${err.message} should name ${entry}`);
      return true;
    },
  );
}

describe('normalizeProtectedPaths', () => {
  it('turns the default list into .git (whole) and the other top-level paths', () => {
    assert.deepEqual(normalizeProtectedPaths(defaultProtectedPaths), ['.git', '.vscode', '.devcontainer', '.envrc']);
  });

  it('normalizes separators and dots, drops duplicates and entries inside another entry', () => {
    assert.deepEqual(normalizeProtectedPaths(['./.vscode/', '.vscode//settings.json', 'tools\\run.sh', 'tools/run.sh', 'a/./b']), [
      '.vscode',
      'tools/run.sh',
      'a/b',
    ]);
    assert.deepEqual(normalizeProtectedPaths(['.git/hooks', '.github']), ['.git', '.github']);
  });

  it('refuses absolute paths, "..", the folder itself and non-strings, naming the entry', () => {
    refused(['.vscode', '/etc/passwd'], '/etc/passwd');
    refused(['C:\\Users\\me\\.ssh'], 'C:\\Users\\me\\.ssh');
    refused(['../outside'], '../outside');
    refused(['a/../../b'], 'a/../../b');
    refused(['a/..'], 'a/..');
    refused([''], '');
    refused(['./'], './');
    refused([42], '42');
  });
});

describe('protectedMounts', () => {
  let folder: string;
  beforeEach(() => {
    folder = realpathSync(mkdtempSync(join(tmpdir(), 'aicli-protect-')));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  function gitRepo(): void {
    mkdirSync(join(folder, '.git', 'hooks'), { recursive: true });
    writeFileSync(join(folder, '.git', 'config'), '[core]\n');
  }

  it('binds each present path read-only over itself and lists the missing ones; nothing is created', () => {
    gitRepo();
    writeFileSync(join(folder, '.envrc'), 'export A=1\n');
    const before = readdirSync(folder, { recursive: true }).sort();
    const protection = protectedMounts(folder, defaultProtectedPaths);
    assert.deepEqual(readdirSync(folder, { recursive: true }).sort(), before);
    assert.deepEqual(protection.mounted, ['.git', '.envrc']);
    assert.deepEqual(protection.missing, ['.vscode', '.devcontainer']);
    assert.deepEqual(protection.mounts, [
      { Type: 'bind', Source: join(folder, '.git'), Target: '/workspace/.git', ReadOnly: true, BindOptions: { Propagation: 'rprivate' } },
      { Type: 'bind', Source: join(folder, '.envrc'), Target: '/workspace/.envrc', ReadOnly: true, BindOptions: { Propagation: 'rprivate' } },
    ]);
    assert.match(protection.notes.join('\n'), /\.git is read-only .* on the host/);
    assert.match(protection.notes.join('\n'), /\.vscode, \.devcontainer.*critical alert/);
  });

  it('protects a .git file (worktree or submodule link) as it is', () => {
    writeFileSync(join(folder, '.git'), 'gitdir: /elsewhere/.git/worktrees/x\n');
    const protection = protectedMounts(folder, ['.git/config']);
    assert.deepEqual(protection.mounted, ['.git']);
    assert.equal(protection.mounts[0]?.Source, join(folder, '.git'));
  });

  it('counts a path below a file as missing, and deeper paths bind at their own place', () => {
    writeFileSync(join(folder, 'notes'), 'x');
    mkdirSync(join(folder, 'config', 'secrets'), { recursive: true });
    const protection = protectedMounts(folder, ['notes/inner', 'config/secrets']);
    assert.deepEqual(protection.missing, ['notes/inner']);
    assert.deepEqual(
      protection.mounts.map((mount) => mount.Target),
      ['/workspace/config/secrets'],
    );
  });

  it('refuses a protected path that is (or lies under) a symbolic link: the box could replace the link', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'aicli-elsewhere-'));
    try {
      symlinkSync(elsewhere, join(folder, '.vscode'));
      assert.throws(
        () => protectedMounts(folder, ['.vscode']),
        (err: unknown) => err instanceof InputError && /"\.vscode" is a symbolic link/.test(err.message),
      );
      symlinkSync(elsewhere, join(folder, 'tools'));
      assert.throws(
        () => protectedMounts(folder, ['tools/run.sh']),
        (err: unknown) => err instanceof InputError && /"tools\/run\.sh" is a symbolic link \(tools\)/.test(err.message),
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('the isolation plan puts them after the project mount, and not over a remote copy', () => {
    gitRepo();
    const { mounts } = protectedMounts(folder, ['.git/config']);
    const base = {
      level: 'standard' as const,
      resources: { cpus: 1, memoryBytes: 2 ** 29, pidsLimit: 100, blkioWeight: 500 },
      features: { seccomp: true, apparmor: false, selinux: false },
      folder,
      networkName: 'aicli-workspace-x',
      ports: [],
      protectedMounts: mounts,
    };
    assert.deepEqual(
      isolationPlan(base).hostConfig.Mounts?.map((mount) => [mount.Target, mount.ReadOnly]),
      [
        ['/workspace', false],
        ['/workspace/.git', true],
      ],
    );
    assert.deepEqual(
      isolationPlan({ ...base, projectVolume: 'aicli-workspace-x' }).hostConfig.Mounts?.map((mount) => mount.Target),
      ['/workspace'],
    );
  });
});
