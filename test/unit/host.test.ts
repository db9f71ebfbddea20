import * as assert from 'node:assert/strict';
import { EngineError } from '../../src/engine/errors';
import { formatHost, parseDockerHost } from '../../src/engine/host';

function badHost(raw: string, fragment: RegExp): void {
  assert.throws(
    () => parseDockerHost(raw),
    (err: unknown) => err instanceof EngineError && err.kind === 'badHost' && fragment.test(err.message) && /unix:\/\//.test(err.suggestion),
    `expected "${raw}" to be refused with ${fragment}`,
  );
}

describe('parseDockerHost', () => {
  it('parses unix sockets', () => {
    assert.deepEqual(parseDockerHost('unix:///var/run/docker.sock'), { scheme: 'unix', socketPath: '/var/run/docker.sock' });
    assert.deepEqual(parseDockerHost('  unix:///tmp/x y.sock '), { scheme: 'unix', socketPath: '/tmp/x y.sock' });
  });

  it('parses named pipes without connecting', () => {
    assert.deepEqual(parseDockerHost('npipe:////./pipe/docker_engine'), { scheme: 'npipe', pipePath: '//./pipe/docker_engine' });
    assert.deepEqual(parseDockerHost('npipe://\\\\.\\pipe\\docker_engine'), { scheme: 'npipe', pipePath: '//./pipe/docker_engine' });
  });

  it('parses tcp with the CLI default ports', () => {
    assert.deepEqual(parseDockerHost('tcp://10.0.0.5:2376'), { scheme: 'tcp', host: '10.0.0.5', port: 2376 });
    assert.deepEqual(parseDockerHost('tcp://build-box'), { scheme: 'tcp', host: 'build-box', port: 2375 });
    assert.deepEqual(parseDockerHost('tcp://build-box', true), { scheme: 'tcp', host: 'build-box', port: 2376 });
    assert.deepEqual(parseDockerHost('TCP://[::1]:2375/'), { scheme: 'tcp', host: '::1', port: 2375 });
  });

  it('parses ssh with user and port', () => {
    assert.deepEqual(parseDockerHost('ssh://me@host.example:2222'), { scheme: 'ssh', host: 'host.example', port: 2222, portGiven: true, username: 'me' });
    assert.deepEqual(parseDockerHost('ssh://host.example'), { scheme: 'ssh', host: 'host.example', port: 22, portGiven: false, username: undefined });
  });

  it('refuses bad strings with the reason', () => {
    badHost('', /empty/);
    badHost('localhost:2375', /no scheme \(did you mean tcp:\/\/localhost:2375\?\)/);
    badHost('unix://relative.sock', /absolute path/);
    badHost('tcp://', /not a valid URL|names no host/);
    badHost('tcp://host:99999', /port "99999"/);
    badHost('tcp://host:abc', /port "abc"/);
    badHost('tcp://host:2375/path', /only host and port/);
    badHost('ssh://me:secret@host', /passwords/);
    badHost('http://host:2375', /scheme "http:\/\/" is not supported/);
    badHost('npipe://', /needs a path/);
  });

  it('formats what it parsed back into a host string', () => {
    for (const host of ['unix:///var/run/docker.sock', 'tcp://10.0.0.5:2376', 'ssh://me@box:22', 'tcp://[::1]:2375']) {
      assert.equal(formatHost(parseDockerHost(host)), host);
    }
  });
});
