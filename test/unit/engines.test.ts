import * as assert from 'node:assert/strict';
import { parseEngineEntries, targetForEntry } from '../../src/engine/engines';
import { EngineError } from '../../src/engine/errors';

describe('aicli.engines entries', () => {
  it('keeps good entries and says what is wrong with each bad one', () => {
    const { entries, problems } = parseEngineEntries(
      [
        { name: 'build-box', host: 'tcp://10.0.0.5:2376', certPath: '~/certs/build-box' },
        { name: 'gpu', host: 'ssh://me@gpu-host', sshKey: '/home/me/.ssh/id_ed25519' },
        { name: 'default', host: 'tcp://x:2375' },
        { name: 'build-box', host: 'tcp://y:2375' },
        { name: 'no host' },
        { name: 'rel', host: 'tcp://z:2376', certPath: 'certs' },
        'tcp://loose:2375',
      ],
      '/home/me',
    );
    assert.deepEqual(
      entries.map((e) => e.name),
      ['build-box', 'gpu'],
    );
    assert.equal(entries[0]?.certPath, '/home/me/certs/build-box');
    assert.deepEqual(problems, [
      'aicli.engines[2]: the name "default" is reserved for the engine of aicli.docker.host.',
      'aicli.engines[3]: the name "build-box" is used twice.',
      'aicli.engines[4]: "name" must be letters, digits, ".", "_" or "-" (at most 40), got "no host".',
      'aicli.engines[5] (rel): "certPath" must be an absolute path (or start with ~/).',
      'aicli.engines[6] is not an object with "name" and "host".',
    ]);
  });

  it('a list is required; nothing configured is no engines', () => {
    assert.deepEqual(parseEngineEntries(undefined), { entries: [], problems: [] });
    assert.equal(parseEngineEntries({ name: 'x' }).problems.length, 1);
  });

  it('resolves a target from the entry alone: TLS with certPath, ssh key, no DOCKER_HOST leaking in', () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///should/not/be/used.sock';
    try {
      const tls = targetForEntry({ name: 'build-box', host: 'tcp://10.0.0.5', certPath: '/certs' }, 5000);
      assert.deepEqual(
        { host: tls.host, source: tls.source, tls: tls.tls, port: tls.spec.scheme === 'tcp' && tls.spec.port },
        { host: 'tcp://10.0.0.5', source: 'engine build-box', tls: { dir: '/certs', verify: true }, port: 2376 },
      );
      const plain = targetForEntry({ name: 'lab', host: 'tcp://10.0.0.6:2375' }, 5000);
      assert.equal(plain.tls, undefined);
      const ssh = targetForEntry({ name: 'gpu', host: 'ssh://me@gpu-host', sshKey: '/k' }, 5000);
      assert.deepEqual({ scheme: ssh.spec.scheme, key: ssh.sshKey }, { scheme: 'ssh', key: '/k' });
    } finally {
      // The test runner runs every phase in this process: the engine's DOCKER_HOST must survive.
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    assert.throws(
      () => targetForEntry({ name: 'bad', host: 'http://x' }, 5000),
      (err: unknown) => err instanceof EngineError && err.kind === 'badHost',
    );
  });
});
