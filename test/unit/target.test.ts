import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultEngineSettings, resolveEngineTarget } from '../../src/engine/target';

describe('resolveEngineTarget', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'aicli-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function writeContext(name: string, host: string, options: { skipTls?: boolean; tls?: boolean; current?: boolean } = {}): string {
    const folder = createHash('sha256').update(name).digest('hex');
    const meta = join(home, '.docker', 'contexts', 'meta', folder);
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host, SkipTLSVerify: options.skipTls ?? false } } }));
    if (options.tls) {
      const tls = join(home, '.docker', 'contexts', 'tls', folder, 'docker');
      mkdirSync(tls, { recursive: true });
      writeFileSync(join(tls, 'ca.pem'), 'ca');
    }
    if (options.current !== false) writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: name }));
    return folder;
  }

  it('prefers the setting, then DOCKER_HOST, then the context, then the default socket', () => {
    writeContext('remote', 'tcp://10.1.2.3:2375');
    const env = { DOCKER_HOST: 'unix:///run/other.sock' };
    assert.equal(resolveEngineTarget({ ...defaultEngineSettings, host: 'unix:///run/mine.sock' }, env, home).source, 'setting');
    const fromEnv = resolveEngineTarget(defaultEngineSettings, env, home);
    assert.equal(fromEnv.source, 'DOCKER_HOST');
    assert.equal(fromEnv.host, 'unix:///run/other.sock');
    const fromContext = resolveEngineTarget(defaultEngineSettings, {}, home);
    assert.equal(fromContext.source, 'context remote');
    assert.deepEqual(fromContext.spec, { scheme: 'tcp', host: '10.1.2.3', port: 2375 });
    rmSync(join(home, '.docker'), { recursive: true });
    const fallback = resolveEngineTarget(defaultEngineSettings, {}, home, 'linux');
    assert.equal(fallback.source, 'default');
    assert.equal(fallback.host, 'unix:///var/run/docker.sock');
    assert.equal(resolveEngineTarget(defaultEngineSettings, {}, home, 'win32').host, 'npipe:////./pipe/docker_engine');
  });

  it('honours DOCKER_CONTEXT over currentContext, and "default" means no context', () => {
    writeContext('a', 'tcp://10.0.0.1:2375');
    writeContext('b', 'ssh://me@10.0.0.2', { current: false });
    assert.equal(resolveEngineTarget(defaultEngineSettings, { DOCKER_CONTEXT: 'b' }, home).host, 'ssh://me@10.0.0.2');
    assert.equal(resolveEngineTarget(defaultEngineSettings, { DOCKER_CONTEXT: 'default' }, home).source, 'default');
  });

  it('finds a context whose folder is not the hash of its name', () => {
    const meta = join(home, '.docker', 'contexts', 'meta', 'hand-written');
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'odd', Endpoints: { docker: { Host: 'unix:///odd.sock' } } }));
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'odd' }));
    assert.equal(resolveEngineTarget(defaultEngineSettings, {}, home).host, 'unix:///odd.sock');
  });

  it('takes TLS from the context, DOCKER_TLS_VERIFY or the setting', () => {
    const folder = writeContext('secure', 'tcp://10.0.0.9', { tls: true, skipTls: true });
    const fromContext = resolveEngineTarget(defaultEngineSettings, {}, home);
    assert.deepEqual(fromContext.tls, { dir: join(home, '.docker', 'contexts', 'tls', folder, 'docker'), verify: false });
    assert.equal(fromContext.spec.scheme === 'tcp' && fromContext.spec.port, 2376);
    const fromEnv = resolveEngineTarget(defaultEngineSettings, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, home);
    assert.deepEqual(fromEnv.tls, { dir: '/certs', verify: true });
    const off = resolveEngineTarget({ ...defaultEngineSettings, tlsVerify: 'off' }, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, home);
    assert.equal(off.tls, undefined);
    const on = resolveEngineTarget({ ...defaultEngineSettings, tlsVerify: 'on', certPath: '/mine' }, { DOCKER_HOST: 'tcp://h' }, home);
    assert.deepEqual(on.tls, { dir: '/mine', verify: true });
    const unix = resolveEngineTarget({ ...defaultEngineSettings, tlsVerify: 'on' }, { DOCKER_HOST: 'unix:///s.sock' }, home);
    assert.equal(unix.tls, undefined, 'TLS only applies to tcp');
  });

  it('refuses a bad host from any source with the badHost error', () => {
    assert.throws(() => resolveEngineTarget(defaultEngineSettings, { DOCKER_HOST: 'bogus' }, home), /not a Docker host/);
  });
});
