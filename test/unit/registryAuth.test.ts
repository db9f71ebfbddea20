import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCredentials, credentialsFor, registryOf } from '../../src/engine/registryAuth';

const auth = (text: string): string => Buffer.from(text).toString('base64');

describe('registry credentials as the docker CLI reads them (engine/registryAuth)', () => {
  let dir: string;
  const source = (): { env: NodeJS.ProcessEnv } => ({ env: { DOCKER_CONFIG: dir } });
  const config = (value: unknown): void => writeFileSync(join(dir, 'config.json'), typeof value === 'string' ? value : JSON.stringify(value));

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aicli-regauth-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the registry of a reference as the docker CLI does: a dot, a port or localhost first, else Docker Hub', () => {
    assert.equal(registryOf('registry.example:5000/team/tool:1.2'), 'registry.example:5000');
    assert.equal(registryOf('ghcr.io/org/app'), 'ghcr.io');
    assert.equal(registryOf('localhost/app:1'), 'localhost');
    assert.equal(registryOf('team/tool:1'), 'https://index.docker.io/v1/');
    assert.equal(registryOf('busybox:latest'), 'https://index.docker.io/v1/');
  });

  it('reads auths: base64 user:password (a colon in the password kept), an URL key, an identity token; none without a file', async () => {
    assert.equal(await credentialsFor('r.example/a:1', source()), undefined, 'no config.json');
    config({ auths: { 'r.example': { auth: auth('ann:pa:ss') }, 'https://old.example': { auth: auth('bob:pw') }, 't.example': { identitytoken: 'tok' } } });
    assert.deepEqual(await credentialsFor('r.example/a:1', source()), { username: 'ann', password: 'pa:ss', serveraddress: 'r.example' });
    assert.deepEqual(await credentialsFor('old.example/a:1', source()), { username: 'bob', password: 'pw', serveraddress: 'old.example' });
    assert.deepEqual(await credentialsFor('t.example/a:1', source()), { identitytoken: 'tok', serveraddress: 't.example' });
    assert.equal(await credentialsFor('other.example/a:1', source()), undefined);
  });

  it('asks credsStore for every registry, takes "<token>" as an identity token, and falls back to auths when it has none', async () => {
    const bin = join(dir, 'docker-credential-store');
    const script = [
      '#!/bin/sh',
      'read -r s',
      'case "$s" in',
      '  a.example) echo \'{"Username":"<token>","Secret":"T0K"}\';;',
      '  *) echo "credentials not found in native keychain"; exit 1;;',
      'esac',
      '',
    ];
    writeFileSync(bin, script.join('\n'));
    chmodSync(bin, 0o755);
    config({ credsStore: 'store', auths: { 'b.example': { auth: auth('cy:pw') } } });
    const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
    assert.deepEqual(await credentialsFor('a.example/x', { env }), { identitytoken: 'T0K', serveraddress: 'a.example' });
    assert.deepEqual(await credentialsFor('b.example/x', { env }), { username: 'cy', password: 'pw', serveraddress: 'b.example' });
    assert.deepEqual(Object.keys(await allCredentials({ env })), ['b.example']);
  });

  it('says which file is broken, and which helper is missing, without a secret', async () => {
    config('{"auths": {');
    await assert.rejects(credentialsFor('r.example/a', source()), /config\.json is not valid JSON .*; fix it or run docker login again/);
    config({ credHelpers: { 'r.example': 'nowhere' } });
    await assert.rejects(credentialsFor('r.example/a', source()), /names the credential helper "nowhere", but docker-credential-nowhere cannot be run/);
  });
});
