import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseDevcontainerConfig, DevcontainerConfig, lifecycleArgv } from '../../src/workspace/devcontainer/config';
import { planDevcontainer } from '../../src/workspace/devcontainer/plan';

const config = (raw: Record<string, unknown>): DevcontainerConfig => ({ file: '/p/.devcontainer/devcontainer.json', dir: '/p/.devcontainer', raw });

describe('devcontainer.json → a workspace plan (workspace/devcontainer)', () => {
  it('refuses everything that would weaken the level at once, and lets harmless runArgs pass', () => {
    assert.throws(
      () =>
        planDevcontainer(
          config({
            image: 'x',
            capAdd: ['NET_ADMIN'],
            securityOpt: ['seccomp=unconfined'],
            runArgs: ['--network=host', '-v', '/:/host', '--device', '/dev/kvm', '--init', '--pid', 'host'],
          }),
        ),
      (err: Error) =>
        /capAdd NET_ADMIN/.test(err.message) &&
        /securityOpt seccomp=unconfined/.test(err.message) &&
        /runArgs --network=host \(a namespace of the host/.test(err.message) &&
        /runArgs -v \/:\/host \(a host path/.test(err.message) &&
        /runArgs --device \/dev\/kvm/.test(err.message) &&
        /runArgs --pid host/.test(err.message) &&
        !/--init/.test(err.message),
    );
    assert.doesNotThrow(() => planDevcontainer(config({ image: 'x', privileged: false, runArgs: ['--init'], capAdd: [] })));
  });

  it('takes the box\'s own ports (numbers, "N", "HOST:N") and lists another container\'s as not taken', () => {
    const plan = planDevcontainer(config({ image: 'x', forwardPorts: [8080, '5000', 'db:5432'], appPort: '18080:80' }));
    assert.deepEqual(plan.publish, [
      { host: 8080, container: 8080 },
      { host: 5000, container: 5000 },
      { host: 18080, container: 80 },
    ]);
    assert.match(plan.notTaken.join('\n'), /port "db:5432" \(another container's port/);
  });

  it('refuses both an image and a build, Compose, and a bad variable name; lists initializeCommand as never run', () => {
    assert.throws(() => planDevcontainer(config({ dockerComposeFile: 'compose.yml', service: 'app' })), /uses Docker Compose/);
    assert.throws(
      () => planDevcontainer(config({ image: 'x', containerEnv: { 'BAD-NAME': '1' } })),
      /containerEnv in .*: Environment entry "BAD-NAME=1": "BAD-NAME" is not a variable name/,
    );
    assert.match(
      planDevcontainer(config({ image: 'x', initializeCommand: 'make' })).notTaken.join(),
      /initializeCommand \(it would run on this machine; aicli-ws never runs it/,
    );
  });

  it('runs a string in sh, an array as is, and an object’s commands one after another', () => {
    assert.deepEqual(lifecycleArgv('npm ci'), [['sh', '-c', 'npm ci']]);
    assert.deepEqual(lifecycleArgv(['npm', 'ci']), [['npm', 'ci']]);
    assert.deepEqual(lifecycleArgv({ deps: 'npm ci', db: ['make', 'db'] }), [
      ['sh', '-c', 'npm ci'],
      ['make', 'db'],
    ]);
  });

  it('finds the configuration where the spec looks, and asks for a choice among several named ones', () => {
    const folder = mkdtempSync(join(tmpdir(), 'aicli-dcfind-'));
    try {
      assert.equal(chooseDevcontainerConfig(folder), undefined);
      for (const name of ['python', 'node']) {
        mkdirSync(join(folder, '.devcontainer', name), { recursive: true });
        writeFileSync(join(folder, '.devcontainer', name, 'devcontainer.json'), '{}');
      }
      assert.throws(
        () => chooseDevcontainerConfig(folder),
        /several dev container configurations \(\.devcontainer\/node\/devcontainer\.json, \.devcontainer\/python\/devcontainer\.json\): name one with --devcontainer FILE/,
      );
      writeFileSync(join(folder, '.devcontainer.json'), '{}');
      assert.equal(chooseDevcontainerConfig(folder), join(folder, '.devcontainer.json'));
      writeFileSync(join(folder, '.devcontainer', 'devcontainer.json'), '{}');
      assert.equal(chooseDevcontainerConfig(folder), join(folder, '.devcontainer', 'devcontainer.json'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('takes remoteEnv and postAttachCommand for terminals, values as written, and keeps initializeCommand apart', () => {
    const plan = planDevcontainer(
      config({
        image: 'x',
        remoteEnv: { EDITOR_HINT: 'vim', TOKEN: '${localEnv:GITHUB_TOKEN}', UNSET_ME: null },
        postAttachCommand: 'echo attached',
        initializeCommand: ['git', 'submodule', 'update'],
      }),
    );
    assert.deepEqual(plan.attach, { env: { EDITOR_HINT: 'vim', TOKEN: '${localEnv:GITHUB_TOKEN}' }, commands: [['sh', '-c', 'echo attached']] });
    assert.deepEqual(plan.initializeCommand, ['git', 'submodule', 'update']);
    assert.ok(plan.taken.includes('remoteEnv (EDITOR_HINT, TOKEN; in terminals)'));
    assert.ok(plan.taken.includes('postAttachCommand (in each terminal, before its shell)'));
    assert.ok(plan.notTaken.some((entry) => entry.startsWith('initializeCommand (it would run on this machine')));
    assert.throws(() => planDevcontainer(config({ image: 'x', remoteEnv: { 'NOT A NAME': 'x' } })), /remoteEnv in .*"NOT A NAME" is not a variable name/);
    assert.throws(() => planDevcontainer(config({ image: 'x', remoteEnv: ['A=1'] })), /remoteEnv in .* must be an object of strings/);
  });

  it('maps init: true onto the init every workspace has, and lists init: false as not taken', () => {
    assert.ok(planDevcontainer(config({ image: 'x', init: true })).taken.includes('init (every workspace has one)'));
    assert.ok(planDevcontainer(config({ image: 'x', init: false })).notTaken.some((entry) => entry.startsWith('init false')));
    assert.throws(() => planDevcontainer(config({ image: 'x', init: 'yes' })), /init in .* must be true or false/);
  });
});
