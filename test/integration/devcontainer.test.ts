// Creating a workspace from a project's devcontainer.json through aicli-ws, as a user runs it:
// configurations shaped like real projects' (an image with env, ports and postCreate; a
// Dockerfile with args and a target stage), one that would weaken the level, and broken ones.
import * as assert from 'node:assert/strict';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EngineConnection } from '../../src/engine/connection';
import { devcontainerTag } from '../../src/workspace/devcontainer/create';
import { aicli } from '../support/cli';
import { connect } from '../support/engine';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { cliLabelArgs } from '../support/labels';
import { sweepRun } from '../support/sweep';
import { countTestResources, testLabel, testRunId } from './support';

describe('create from devcontainer.json (aicli-ws, real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  const folders: string[] = [];

  before(async () => (connection = await connect()));
  after(async () => {
    await sweepRun(connection.docker, testRunId);
    for (const folder of folders) {
      await connection.docker
        .getImage(devcontainerTag(folder))
        .remove({ force: true })
        .catch(() => undefined);
      removeFolder(folder);
    }
  });

  /** A project folder of uid 1000 with these files (paths relative to it), all the user's. */
  function project(files: Record<string, string>): string {
    const folder = makeFolder('aicli-devcontainer-', { readme: '# app\n', owner: 'user' });
    folders.push(folder);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), text);
      for (let dir = dirname(join(folder, path)); dir.startsWith(folder); dir = dirname(dir)) chownSync(dir, folderUser.uid, folderUser.gid);
      chownSync(join(folder, path), folderUser.uid, folderUser.gid);
    }
    return folder;
  }

  const create = (folder: string, name: string, ...extra: string[]) =>
    aicli('create', '--folder', folder, '--name', `${name}-${process.pid}`, ...cliLabelArgs(testLabel), ...extra);
  const inBox = async (name: string, script: string): Promise<string> =>
    (await aicli('exec', `${name}-${process.pid}`, '--', 'sh', '-c', script)).stdout.trim();

  it('an image with containerEnv, forwardPorts and postCreateCommand: env and the command’s effect in the box, the port published, what was not taken listed', async () => {
    const folder = project({
      '.devcontainer/devcontainer.json': [
        '// Shaped like the Node template: image, env, a port, postCreate, editor customizations',
        '{',
        '  "name": "Node app",',
        '  "image": "aicli/base:latest",',
        '  "containerEnv": { "APP_ENV": "development", "GREETING": "hello from devcontainer" },',
        '  "forwardPorts": [3000, 9229],',
        '  "postCreateCommand": "echo \\"$GREETING\\" > /tmp/post-create && touch created-by-post-create",',
        '  "remoteUser": "node",',
        '  "customizations": { "vscode": { "extensions": ["dbaeumer.vscode-eslint"] } }, // a trailing comma next',
        '}',
      ].join('\n'),
    });
    const created = await create(folder, 'dc-image');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /devcontainer\.json: took image aicli\/base:latest; containerEnv \(APP_ENV, GREETING\); ports 3000, 9229; postCreateCommand/);
    assert.match(created.stderr, /not taken: remoteUser \(the box runs as the folder's owner/);
    assert.equal(
      await inBox('dc-image', 'echo "$APP_ENV|$(cat /tmp/post-create)|$(id -u)|$(ls created-by-post-create)"'),
      `development|hello from devcontainer|${folderUser.uid}|created-by-post-create`,
    );
    const info = JSON.parse((await aicli('inspect', `dc-image-${process.pid}`)).stdout) as { Config: { Labels: Record<string, string> } };
    const ports = JSON.parse(info.Config.Labels['aicli.workspace.ports'] ?? '[]') as { hostIp: string; hostPort: number; containerPort: number }[];
    // 3000 is one of aicli.network.blockedPorts by default: another host port, said in the summary.
    assert.deepEqual(
      ports.map((port) => `${port.hostIp}:${port.hostPort}->${port.containerPort}`),
      ['127.0.0.1:11000->3000', '127.0.0.1:9229->9229'],
    );
    assert.match(created.stderr, /port 3000 on host port 11000 \(3000 is in aicli\.network\.blockedPorts\)/);
  });

  it('a Dockerfile build with args and a target stage, built offline on our base; postStartCommand runs', async () => {
    const folder = project({
      '.devcontainer/Dockerfile': [
        'FROM aicli/base:latest AS base',
        'ARG GREETING=default',
        'RUN echo "$GREETING" > /etc/greeting',
        'FROM base AS dev',
        'RUN echo dev > /etc/stage',
        'FROM base AS release',
        'RUN echo release > /etc/stage',
        '',
      ].join('\n'),
      '.devcontainer/devcontainer.json': JSON.stringify({
        build: { dockerfile: 'Dockerfile', context: '.', args: { GREETING: 'built with args' }, target: 'dev' },
        postStartCommand: ['sh', '-c', 'echo started > /tmp/post-start'],
      }),
    });
    const created = await create(folder, 'dc-build');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /took build Dockerfile with args GREETING; postStartCommand/);
    assert.equal(await inBox('dc-build', 'cat /etc/greeting /etc/stage /tmp/post-start'), 'built with args\ndev\nstarted');
  });

  it('privileged, a host mount and runArgs --cap-add SYS_ADMIN: refused, each named, nothing made', async () => {
    const before = await countTestResources(connection.docker);
    const folder = project({
      '.devcontainer/devcontainer.json': JSON.stringify({
        image: 'aicli/base:latest',
        privileged: true,
        mounts: ['source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind'],
        runArgs: ['--cap-add', 'SYS_ADMIN', '--init'],
      }),
    });
    const created = await create(folder, 'dc-weak');
    assert.equal(created.code, 2, created.stderr);
    assert.match(created.stderr, /asks for what would weaken the workspace's isolation, so nothing was created: /);
    assert.match(created.stderr, /privileged \(every capability and device of the host\)/);
    assert.match(created.stderr, /mounts source=\/var\/run\/docker\.sock,target=\/var\/run\/docker\.sock,type=bind \(host paths in the box\)/);
    assert.match(created.stderr, /runArgs --cap-add SYS_ADMIN \(a capability the level drops\)/);
    assert.deepEqual(await countTestResources(connection.docker), before);
  });

  it('bad JSONC, a missing Dockerfile, a property of the wrong type: a clear error each, nothing made', async () => {
    const before = await countTestResources(connection.docker);
    const cases: [Record<string, string>, RegExp][] = [
      [
        { '.devcontainer.json': '{\n  "image": "aicli/base:latest"\n  "containerEnv": {}\n}' },
        /\.devcontainer\.json is not valid JSON with comments: CommaExpected at line 3, column 3/,
      ],
      [
        { '.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile.dev" } }' },
        /builds from .*\/\.devcontainer\/Dockerfile\.dev, which does not exist; fix build\.dockerfile/,
      ],
      [
        { '.devcontainer/devcontainer.json': '{ "image": "aicli/base:latest", "containerEnv": "A=1" }' },
        /containerEnv in .* must be an object of strings \(it is a string\)/,
      ],
    ];
    for (const [files, message] of cases) {
      const created = await create(project(files), 'dc-bad');
      assert.equal(created.code, 2, created.stderr);
      assert.match(created.stderr, message);
    }
    assert.deepEqual(await countTestResources(connection.docker), before);
  });

  it('a failing postCreateCommand keeps the workspace and says so; --no-devcontainer skips the file', async () => {
    const folder = project({ '.devcontainer/devcontainer.json': JSON.stringify({ image: 'aicli/base:latest', postCreateCommand: 'echo setting up; exit 7' }) });
    const created = await create(folder, 'dc-fail');
    assert.equal(created.code, 1, created.stderr);
    assert.match(created.stderr, /postCreateCommand\| setting up/);
    assert.match(created.stderr, new RegExp(`its postCreateCommand failed \\(exit 7\\); the workspace is kept`));
    assert.match((await aicli('list')).stdout, new RegExp(`dc-fail-${process.pid}\\s+\\S+\\s+running`));
    const skipped = await create(project({ '.devcontainer.json': '{ not json' }), 'dc-skip', '--no-devcontainer');
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.doesNotMatch(skipped.stderr, /devcontainer\.json/);
  });
});
