import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { captureExec, CapturedExec } from '../../src/engine/captureExec';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { IsolationLevel, isolationLevels, isStrictLevel } from '../../src/isolation/levels';
import { Alert, alertKey } from '../../src/monitor/alerts';
import { SecurityMonitor } from '../../src/monitor/monitor';
import { MonitorScope } from '../../src/monitor/scope';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { WorkspaceService } from '../../src/workspace/service';
import { connect, targetFor } from '../support/engine';
import { folderUser, makeFolder } from '../support/folders';
import { sweepRun } from '../support/sweep';
import { waitFor } from '../support/waits';
import { testLabel, testRunId, testWorkspaceService } from './support';

const run = promisify(execFile);

/** The ordinary user of a real machine: owns the project, runs git on the host. */
const user = folderUser;
const suiteLabel = { 'aicli.test.suite': `project-folder-${testRunId}` };

describe('the project folder stays the user’s (uid-1000 folders, real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let service: WorkspaceService;
  const made: string[] = [];
  let home: string;

  /** A temp folder owned by uid 1000 (mkdtemp makes it 0700, so only that user gets in), removed after the suite. */
  function userFolder(prefix: string): string {
    const folder = makeFolder(prefix, { owner: 'user' });
    made.push(folder);
    return folder;
  }

  /** A command on the host as uid 1000, with a HOME of its own and no system git config. */
  async function asUser(cwd: string, command: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', command, ...args], {
      cwd,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'User',
        GIT_AUTHOR_EMAIL: 'user@example.invalid',
        GIT_COMMITTER_NAME: 'User',
        GIT_COMMITTER_EMAIL: 'user@example.invalid',
      },
    });
  }

  /** A git repository with one commit, made by uid 1000 as on a real machine. */
  async function gitRepo(prefix: string): Promise<string> {
    const folder = userFolder(prefix);
    await asUser(folder, 'git', 'init', '-q');
    await asUser(folder, 'sh', '-c', 'echo "# project" > README.md && git add README.md && git commit -q -m init');
    return folder;
  }

  async function create(folder: string, name: string, level: IsolationLevel): Promise<{ name: string; containerId: string }> {
    const { workspace } = await service.create({ folder, name: `${name}-${process.pid}`, level });
    assert.equal(workspace.state, 'running');
    return { name: workspace.name, containerId: workspace.containerId };
  }

  /** A shell script in the box, as its own user (the folder's owner) or as another. */
  function inBox(containerId: string, script: string, asWho?: string): Promise<CapturedExec> {
    return captureExec(connection, containerId, { cmd: ['sh', '-c', script], user: asWho, workingDir: '/workspace' });
  }

  /** Names, types, owners and sizes of everything in the folder, for before/after comparisons. */
  function listing(folder: string): string[] {
    return (readdirSync(folder, { recursive: true }) as string[])
      .map((entry) => {
        const stats = lstatSync(join(folder, entry));
        return `${entry} ${stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : 'f'} ${stats.uid}:${stats.gid} ${stats.isDirectory() ? '' : stats.size}`;
      })
      .sort();
  }

  /** From the box: every way we know to make the host's git run something; each must fail. */
  async function attackGit(containerId: string, markers: string, asWho?: string): Promise<void> {
    const marker = (n: number): string => join(markers, `pwned-${n}`);
    const attacks: Record<string, string> = {
      'append fsmonitor to .git/config': `printf '[core]\\n\\tfsmonitor = "touch ${marker(1)} #"\\n' >> .git/config`,
      'create .git/hooks/pre-commit': `printf '#!/bin/sh\\ntouch ${marker(2)}\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit`,
      'redirect .git/commondir': `mkdir -p evil && printf '[core]\\n\\trepositoryformatversion = 0\\n\\tfsmonitor = "touch ${marker(3)} #"\\n' > evil/config && echo ../evil > .git/commondir`,
      'rename .git and make a new one': `mv .git .git-moved && mkdir -p .git && printf '[core]\\n\\tfsmonitor = "touch ${marker(4)} #"\\n' > .git/config`,
      'remove .git': 'rm -rf .git && test ! -e .git',
    };
    for (const [attack, script] of Object.entries(attacks)) {
      const result = await inBox(containerId, script, asWho);
      assert.notEqual(result.code, 0, `${attack} succeeded`);
      assert.match(result.stderr, attack.startsWith('rename') ? /Device or resource busy/ : /Read-only file system/, `${attack}: ${result.stderr}`);
    }
  }

  before(async () => {
    connection = await connect();
    // These are the bind mode's walls (review mode never shares the folder: see review.test.ts).
    service = testWorkspaceService({ labels: { ...testLabel, ...suiteLabel }, projectMount: 'bind' });
    home = userFolder('aicli-home-');
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
    made.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it('standard: the box edits and creates project files, and on the host they belong to uid 1000', async () => {
    const folder = userFolder('aicli-own-');
    await asUser(folder, 'sh', '-c', 'echo "line one" > notes.txt');
    const ws = await create(folder, 'own', 'standard');
    const result = await inBox(ws.containerId, 'id -u && echo "line two" >> notes.txt && mkdir -p src && echo "made in the box" > src/new.txt');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '1000', 'the box runs as the folder owner');
    assert.equal(readFileSync(join(folder, 'notes.txt'), 'utf8'), 'line one\nline two\n');
    assert.equal(readFileSync(join(folder, 'src', 'new.txt'), 'utf8'), 'made in the box\n');
    for (const path of ['notes.txt', 'src', 'src/new.txt']) {
      const { uid, gid } = statSync(join(folder, path));
      assert.deepEqual({ uid, gid }, user, path);
    }
  });

  it('positive control: the fsmonitor line, written on the host, makes the host’s git status run it', async () => {
    const folder = await gitRepo('aicli-control-');
    const markers = userFolder('aicli-markers-');
    const marker = join(markers, 'pwned-control');
    // `#` ends the command: git appends its own arguments, which touch would create as files.
    await asUser(folder, 'sh', '-c', `printf '[core]\\n\\tfsmonitor = "touch ${marker} #"\\n' >> .git/config`);
    await asUser(folder, 'git', 'status', '--short');
    assert.ok(existsSync(marker), 'the host git ran the fsmonitor command: the attack below would be seen');
  });

  for (const level of isolationLevels) {
    it(`${level}: the box cannot change what the host's git runs (.git/config, hooks, commondir, rename of .git)`, async () => {
      const folder = await gitRepo(`aicli-git-${level}-`);
      const markers = userFolder('aicli-markers-');
      const configBefore = readFileSync(join(folder, '.git', 'config'), 'utf8');
      const gitInode = statSync(join(folder, '.git')).ino;
      const ws = await create(folder, `git-${level}`, level);
      await attackGit(ws.containerId, markers);
      const sanity = await inBox(ws.containerId, 'echo ok > made-by-box');
      assert.equal(sanity.code, 0, `the rest of the folder stays writable: ${sanity.stderr}`);

      assert.equal(readFileSync(join(folder, '.git', 'config'), 'utf8'), configBefore);
      assert.equal(statSync(join(folder, '.git')).ino, gitInode, '.git is the same directory');
      assert.ok(!existsSync(join(folder, '.git', 'hooks', 'pre-commit')));
      assert.ok(!existsSync(join(folder, '.git', 'commondir')));
      await asUser(folder, 'git', 'status', '--short');
      await asUser(folder, 'git', 'commit', '-q', '--allow-empty', '-m', 'x');
      assert.deepEqual(readdirSync(markers), [], 'the host ran nothing of the box');
      assert.equal(statSync(join(folder, 'made-by-box')).uid, user.uid);
    });
  }

  it('basic, root-owned folder: root with DAC_OVERRIDE and FOWNER cannot change .git either, nor unmount it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'aicli-rootgit-'));
    made.push(folder);
    await run('sh', ['-c', 'git init -q && echo x > a && git add a && git -c user.name=r -c user.email=r@x commit -q -m init'], {
      cwd: folder,
      env: { PATH: process.env.PATH, HOME: folder, GIT_CONFIG_NOSYSTEM: '1' },
    });
    const configBefore = readFileSync(join(folder, '.git', 'config'), 'utf8');
    const ws = await create(folder, 'rootgit', 'basic');
    const caps = await inBox(ws.containerId, 'id -u; grep CapEff /proc/self/status');
    assert.match(caps.stdout, /^0\n/, 'a root-owned folder: the box runs as root');
    assert.notEqual(caps.stdout.match(/CapEff:\s*([0-9a-f]+)/)?.[1], '0000000000000000', 'root in a basic box has capabilities');
    await attackGit(ws.containerId, userFolder('aicli-markers-'));
    const unmount = await inBox(ws.containerId, 'umount /workspace/.git || mount -o remount,rw /workspace/.git');
    assert.notEqual(unmount.code, 0, 'no level has CAP_SYS_ADMIN: the read-only mount stays');
    assert.equal(readFileSync(join(folder, '.git', 'config'), 'utf8'), configBefore);
    assert.ok(!existsSync(join(folder, '.git', 'commondir')));
  });

  it('a root terminal in a box that runs as the folder owner is uid 0 without capabilities (what the README says)', async () => {
    const folder = userFolder('aicli-rootshell-');
    await asUser(folder, 'sh', '-c', 'echo mine > mine.txt && chmod 644 mine.txt && chmod 755 .');
    for (const level of isolationLevels) {
      const ws = await create(folder, `rootshell-${level}`, level);
      const root = await inBox(ws.containerId, 'id -u; grep CapEff /proc/self/status; cat mine.txt; echo x >> mine.txt', '0');
      assert.match(root.stdout, /^0\nCapEff:\s*0000000000000000\nmine\n/, `${level}: ${root.stdout}`);
      assert.notEqual(root.code, 0, `${level}: root without DAC_OVERRIDE cannot write the user's file`);
      // strict and sandboxed: a read-only root filesystem.
      if (!isStrictLevel(level)) {
        const system = await inBox(ws.containerId, 'echo ok > /etc/aicli-root-test && rm /etc/aicli-root-test', '0');
        assert.equal(system.code, 0, `${level}: root still owns the image's files: ${system.stderr}`);
      }
      await service.remove(ws.name);
    }
    assert.equal(readFileSync(join(folder, 'mine.txt'), 'utf8'), 'mine\n');
  });

  it('a protected path the folder did not have raises a critical alert naming it when the box creates it', async () => {
    const engine = new Engine(() => targetFor());
    engine.start();
    await engine.connection();
    const monitor = new SecurityMonitor(engine, { settings: () => ({ ...defaultMonitorSettings, processChecks: false }), scope: new MonitorScope(suiteLabel) });
    try {
      await monitor.ready();
      const folder = userFolder('aicli-alert-');
      const ws = await create(folder, 'alert', 'standard');
      const key = alertKey(ws.containerId, 'protected:.vscode');
      const alerted = waitFor<Alert>('the .vscode alert', 10_000, (resolve) =>
        monitor.alerts.onDidChange((change) => {
          if (change.kind !== 'cleared' && change.alert.key === key) resolve(change.alert);
        }),
      );
      // The watch starts with the audit that follows the start event.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(monitor.alerts.get(key), undefined, 'no alert before anything happened');
      const startedMs = Date.now();
      const write = await inBox(ws.containerId, 'mkdir .vscode && echo \'{"git.path": "/workspace/evil"}\' > .vscode/settings.json');
      assert.equal(write.code, 0, `a path that did not exist is not mounted, so the box can create it: ${write.stderr}`);
      const alert = await alerted;
      assert.deepEqual([alert.type, alert.severity, alert.policyItem], ['security_breach', 'critical', 'protectedPaths']);
      assert.match(alert.message, new RegExp(`^Protected path \\.vscode (appeared|exists) in ${folder} while workspace ${ws.name} runs`));
      const latency = alert.detectedAt - startedMs;
      console.log(`      .vscode created in the box → critical alert in ${latency} ms`);
      assert.ok(latency < 5000, `the alert took ${latency} ms`);
    } finally {
      monitor.dispose();
      engine.dispose();
    }
  });

  it('create and remove leave the folder exactly as it was (no mount points, nothing written)', async () => {
    const folder = await gitRepo('aicli-untouched-');
    await asUser(folder, 'sh', '-c', 'echo "export A=1" > .envrc');
    const before = listing(folder);
    const ws = await create(folder, 'untouched', 'standard');
    const info = await service.inspect(ws.name);
    assert.deepEqual(
      (info.Mounts ?? [])
        .filter((mount) => mount.Destination.startsWith('/workspace/'))
        .map((mount) => [mount.Destination, mount.RW])
        .sort(),
      [
        ['/workspace/.envrc', false],
        ['/workspace/.git', false],
      ],
    );
    assert.deepEqual(listing(folder), before, 'while it runs');
    await service.remove(ws.name);
    assert.deepEqual(listing(folder), before, 'after remove');
    writeFileSync(join(folder, 'proof'), ''); // the folder is still an ordinary, writable folder
  });
});
