import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertInput } from '../../src/monitor/alerts';
import { FolderWatch, PathChange } from '../../src/monitor/folderWatch';
import { protectedPathAlert, ProtectedPathWatches, sharedFolderOf, unmountedPaths } from '../../src/monitor/protectedPaths';
import { MonitoredWorkspace } from '../../src/monitor/scope';

const workspace: MonitoredWorkspace = { containerId: 'c0ffee', id: 'abc', name: 'demo', level: 'standard' };
const silent = { trace() {}, info() {}, warn() {}, error() {} };

/** Resolves with the first change matching, or fails after timeoutMs. */
function nextChange(changes: PathChange[], listeners: (() => void)[], match: (change: PathChange) => boolean, timeoutMs = 3000): Promise<PathChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching change; seen ${JSON.stringify(changes)}`)), timeoutMs);
    const check = (): void => {
      const found = changes.find(match);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    listeners.push(check);
    check();
  });
}

describe('FolderWatch (fs.watch on a real folder)', () => {
  let folder: string;
  let watch: FolderWatch | undefined;
  let changes: PathChange[];
  let listeners: (() => void)[];
  beforeEach(() => {
    folder = realpathSync(mkdtempSync(join(tmpdir(), 'aicli-watch-')));
    changes = [];
    listeners = [];
  });
  afterEach(() => {
    watch?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  function start(paths: string[]): void {
    watch = new FolderWatch(folder, paths, (change) => {
      changes.push(change);
      listeners.forEach((listener) => listener());
    });
    watch.start();
  }

  it('reports a path that appears, then files written inside it, then its removal', async () => {
    start(['.vscode', '.envrc']);
    assert.equal(changes.length, 0);
    writeFileSync(join(folder, 'unrelated.txt'), 'x');
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'settings.json'), '{}');
    await nextChange(changes, listeners, (change) => change.path === '.vscode' && change.kind === 'appeared');
    changes.length = 0;
    writeFileSync(join(folder, '.vscode', 'settings.json'), '{"git.path": "/tmp/evil"}');
    await nextChange(changes, listeners, (change) => change.path === '.vscode' && change.kind === 'changed');
    rmSync(join(folder, '.vscode'), { recursive: true });
    await nextChange(changes, listeners, (change) => change.path === '.vscode' && change.kind === 'removed');
    assert.ok(!changes.some((change) => change.path === '.envrc'), 'nothing happened to .envrc');
  });

  it('follows a nested path through folders that appear later, and edits of a file in place', async () => {
    start(['config/secrets/key']);
    mkdirSync(join(folder, 'config'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    mkdirSync(join(folder, 'config', 'secrets'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    writeFileSync(join(folder, 'config', 'secrets', 'key'), 'a');
    await nextChange(changes, listeners, (change) => change.kind === 'appeared');
    changes.length = 0;
    writeFileSync(join(folder, 'config', 'secrets', 'key'), 'bb');
    await nextChange(changes, listeners, (change) => change.kind === 'changed');
  });

  it('reports what is already there when the watch starts, and nothing after dispose', async () => {
    writeFileSync(join(folder, '.envrc'), 'x');
    start(['.envrc', '.vscode']);
    assert.deepEqual(
      changes.map((change) => [change.path, change.kind]),
      [['.envrc', 'present']],
    );
    watch?.dispose();
    mkdirSync(join(folder, '.vscode'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes.length, 1);
  });
});

describe('protected path watches of a monitor', () => {
  const mounts = (
    folder: string,
    readOnly: string[],
  ): { Mounts: { Type: 'bind'; Source: string; Destination: string; RW: boolean; Mode: string; Propagation: string }[] } => ({
    Mounts: [
      { Type: 'bind', Source: folder, Destination: '/workspace', RW: true, Mode: '', Propagation: 'rprivate' },
      ...readOnly.map((path) => ({
        Type: 'bind' as const,
        Source: join(folder, path),
        Destination: `/workspace/${path}`,
        RW: false,
        Mode: '',
        Propagation: 'rprivate',
      })),
    ],
  });

  it('leaves out what a read-only mount covers and finds the shared folder', () => {
    const info = mounts('/home/u/p', ['.git', '.envrc']);
    assert.equal(sharedFolderOf(info), '/home/u/p');
    assert.equal(
      sharedFolderOf({
        Mounts: [
          {
            Type: 'volume',
            Name: 'v',
            Source: '/var/lib/docker/volumes/v/_data',
            Destination: '/workspace',
            RW: true,
            Mode: '',
            Propagation: '',
            Driver: 'local',
          },
        ],
      }),
      undefined,
    );
    assert.deepEqual(unmountedPaths(info, ['.git', '.git/x', '.vscode', '.envrc', '.envrc.local']), ['.vscode', '.envrc.local']);
  });

  it('is a critical security_breach naming the path, the folder and what to check', () => {
    const alert = protectedPathAlert(workspace, '/home/u/p', { path: '.vscode', kind: 'appeared', at: 5 });
    assert.equal(alert.type, 'security_breach');
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.rule, 'protected:.vscode');
    assert.equal(alert.policyItem, 'protectedPaths');
    assert.equal(alert.conditionAt, 5);
    assert.match(alert.message, /^Protected path \.vscode appeared in \/home\/u\/p while workspace demo runs\./);
    assert.match(alert.message, /settings\.json/);
  });

  it('leaves out bad entries of the setting and says so once in the log', () => {
    const warnings: string[] = [];
    const watches = new ProtectedPathWatches(() => {}, { ...silent, warn: (message) => warnings.push(message) });
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'aicli-bad-')));
    try {
      const input = { running: true, localEngine: true, protectedPaths: ['/etc/passwd', '../up', '.vscode'] };
      watches.update(workspace, mounts(folder, []), input);
      watches.update({ ...workspace, containerId: 'other' }, mounts(folder, []), input);
      assert.deepEqual(warnings, ['monitor: aicli.workspace.protectedPaths entries left out: "/etc/passwd", "../up"']);
    } finally {
      watches.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('watches only running workspaces of a local engine, and only unmounted paths', async () => {
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'aicli-watches-')));
    const raised: AlertInput[] = [];
    const watches = new ProtectedPathWatches((input) => raised.push(input), silent);
    try {
      mkdirSync(join(folder, '.git'));
      writeFileSync(join(folder, '.envrc'), 'x');
      const info = mounts(folder, ['.git']);
      const input = { running: true, localEngine: true, protectedPaths: ['.git/config', '.envrc', '.vscode'] };
      watches.update(workspace, info, { ...input, localEngine: false });
      watches.update(workspace, info, { ...input, running: false });
      assert.equal(raised.length, 0);
      watches.update(workspace, info, input);
      assert.deepEqual(
        raised.map((alert) => alert.rule),
        ['protected:.envrc'],
        'an unmounted path that exists is reported at once',
      );
      watches.update(workspace, info, input); // a later audit: same watch, nothing new
      assert.equal(raised.length, 1);
      mkdirSync(join(folder, '.vscode'));
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.deepEqual(
        raised.map((alert) => alert.rule),
        ['protected:.envrc', 'protected:.vscode'],
      );
      watches.stop(workspace.containerId);
      rmSync(join(folder, '.vscode'), { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(raised.length, 2, 'a stopped workspace is not watched');
    } finally {
      watches.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
