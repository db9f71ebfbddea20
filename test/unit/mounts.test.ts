import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/engine/errors';
import { checkEngineSocketMount, checkProjectFolder, engineSocketPaths, MountPolicy } from '../../src/isolation/mounts';

describe('checkProjectFolder', () => {
  let home: string;
  let policy: MountPolicy;

  beforeEach(() => {
    home = realpathSync(mkdtempSync(join(tmpdir(), 'aicli-mounts-')));
    policy = { home, engineSockets: [], allowEngineSocket: false };
  });

  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function refused(folder: string, message: string | RegExp, given: MountPolicy = policy): void {
    assert.throws(
      () => checkProjectFolder(folder, given),
      (err: unknown) => {
        assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
        assert.equal(err.field, 'folder');
        if (typeof message === 'string') assert.equal(err.message, message);
        else assert.match(err.message, message);
        return true;
      },
      `expected ${folder} to be refused`,
    );
  }

  it('accepts a project folder inside home and returns its real path', () => {
    const project = join(home, 'code', 'project');
    mkdirSync(project, { recursive: true });
    assert.equal(checkProjectFolder(project, policy), project);
    assert.equal(checkProjectFolder(project + '/', policy), project);
    assert.equal(checkProjectFolder(join(home, 'code', '..', 'code', 'project'), policy), project);
  });

  it('returns the target of a symlinked project folder', () => {
    const project = join(home, 'project');
    mkdirSync(project);
    symlinkSync(project, join(home, 'link'));
    assert.equal(checkProjectFolder(join(home, 'link'), policy), project);
  });

  it('refuses the system folders', () => {
    for (const folder of ['/', '/etc', '/proc', '/sys', '/dev', '/boot']) {
      if (folder === '/boot' && !safeIsDir(folder)) continue;
      refused(folder, `Mounting ${folder} would expose the host's system files to the workspace; pick a project folder instead.`);
    }
  });

  it('refuses a symlink that points to /etc', () => {
    const link = join(home, 'innocent');
    symlinkSync('/etc', link);
    refused(link, "Mounting /etc would expose the host's system files to the workspace; pick a project folder instead.");
  });

  it('refuses the home folder itself', () => {
    refused(home, `Mounting your whole home folder (${home}) would expose your keys and settings; pick a project folder inside it.`);
    refused(home + '/', /whole home folder/);
  });

  it('refuses a folder holding the home folder, and home reached through a symlink', () => {
    const userHome = join(home, 'users', 'me');
    mkdirSync(userHome, { recursive: true });
    refused(join(home, 'users'), /would expose your whole home folder/, { ...policy, home: userHome });
    const link = join(home, 'home-link');
    symlinkSync(userHome, link);
    refused(userHome, /^Mounting your whole home folder/, { ...policy, home: link });
  });

  it('refuses relative and empty paths', () => {
    for (const folder of ['project', './project', '../x', '']) {
      refused(folder, `The project folder "${folder}" must be an absolute path; pick the folder with the full path.`);
    }
  });

  it('refuses a missing folder and a file', () => {
    const missing = join(home, 'nope');
    refused(missing, `The project folder ${missing} does not exist or is not a folder; create it or pick another.`);
    const file = join(home, 'file.txt');
    writeFileSync(file, 'x');
    refused(file, `The project folder ${file} does not exist or is not a folder; create it or pick another.`);
    const dangling = join(home, 'dangling');
    symlinkSync(join(home, 'gone'), dangling);
    refused(dangling, /does not exist or is not a folder/);
  });

  it('refuses a folder holding the engine socket given in the policy', () => {
    const project = join(home, 'project');
    const socket = join(project, 'run', 'docker.sock');
    mkdirSync(join(project, 'run'), { recursive: true });
    const withSocket = { ...policy, engineSockets: [socket] };
    refused(project, `${project} contains the Docker engine socket (${socket}), which gives root on the host; pick a folder that does not.`, withSocket);
    refused(join(project, 'run'), /contains the Docker engine socket/, withSocket);
    // A sibling whose name merely starts the same is fine.
    mkdirSync(join(home, 'project-2'));
    assert.equal(checkProjectFolder(join(home, 'project-2'), withSocket), join(home, 'project-2'));
  });

  it('refuses folders holding the usual engine sockets', () => {
    assert.deepEqual(engineSocketPaths, ['/var/run/docker.sock', '/run/docker.sock']);
    for (const folder of ['/var', '/var/run', '/run']) {
      if (!safeIsDir(folder)) continue;
      refused(folder, /contains the Docker engine socket \(\/(var\/)?run\/docker\.sock\)/);
    }
  });
});

describe('checkEngineSocketMount', () => {
  it('says nothing unless the user opted in', () => {
    assert.equal(checkEngineSocketMount({ home: '/home/u', engineSockets: [], allowEngineSocket: false }), undefined);
  });

  it('warns loudly when the engine socket is mounted', () => {
    const result = checkEngineSocketMount({ home: '/home/u', engineSockets: [], allowEngineSocket: true });
    assert.deepEqual(result, {
      warning:
        'aicli.workspace.mountDockerSocket is on: this workspace gets the Docker engine socket, which is root on the host. Anything running in it can escape the sandbox.',
    });
  });
});

function safeIsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
