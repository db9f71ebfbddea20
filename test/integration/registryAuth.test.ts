// Pulls and builds from a registry that wants a login, with the credentials read as the docker
// CLI reads them (DOCKER_CONFIG/config.json: auths, credHelpers), through aicli-ws as a user runs it.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineConnection } from '../../src/engine/connection';
import { aicliWithEnv } from '../support/cli';
import { baseImage, connect } from '../support/engine';
import { makeFolder } from '../support/folders';
import { LocalRegistry, pushToRegistry, registryAccount, startLocalRegistry } from '../support/registry';
import { testRunId } from './support';

const basicAuth = (username: string, password: string): string => Buffer.from(`${username}:${password}`).toString('base64');

describe('registry credentials from the docker config (loopback registry with htpasswd, real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let registry: LocalRegistry;
  let reference: string;
  let scratch: string;
  const wrongPassword = 'not-the-secret-41';

  before(async () => {
    connection = await connect();
    registry = await startLocalRegistry({ auth: true });
    reference = `${registry.address}/private/base-${testRunId}:1`;
    await pushToRegistry(connection.untimed, baseImage, reference, { ...registryAccount, serveraddress: registry.address });
    scratch = makeFolder('aicli-dockercfg-');
  });
  after(async () => {
    await connection.docker
      .getImage(reference)
      .remove()
      .catch(() => undefined);
    await registry?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });
  afterEach(() =>
    connection.docker
      .getImage(reference)
      .remove()
      .catch(() => undefined),
  );

  /** A docker config folder of its own for one test: config.json, and helpers on PATH in bin/. */
  function dockerConfig(name: string, config: object, helpers: Record<string, string> = {}): NodeJS.ProcessEnv {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    for (const [helper, script] of Object.entries(helpers)) {
      writeFileSync(join(dir, 'bin', `docker-credential-${helper}`), script);
      chmodSync(join(dir, 'bin', `docker-credential-${helper}`), 0o755);
    }
    return { ...process.env, DOCKER_CONFIG: dir, PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
  }

  const secretsIn = (text: string): boolean =>
    [registryAccount.password, wrongPassword, basicAuth(registryAccount.username, registryAccount.password)].some((secret) => text.includes(secret));

  it('pulls with the right credentials from auths, and prints no secret', async () => {
    const env = dockerConfig('auths', { auths: { [registry.address]: { auth: basicAuth(registryAccount.username, registryAccount.password) } } });
    const pulled = await aicliWithEnv(env, 'pull', reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.ok((await connection.docker.getImage(reference).inspect()).Id);
    assert.ok(!secretsIn(pulled.stdout + pulled.stderr));
  });

  it('with a wrong password says "unauthorized", which registry, that its credentials were not accepted, and how to fix it', async () => {
    const env = dockerConfig('wrong', { auths: { [registry.address]: { auth: basicAuth(registryAccount.username, wrongPassword) } } });
    const pulled = await aicliWithEnv(env, 'pull', reference);
    assert.notEqual(pulled.code, 0);
    console.log(`      ${pulled.stderr.trim().split('\n')[0]}`);
    assert.match(pulled.stderr, new RegExp(`The registry ${registry.address} refused to give ${reference} \\(unauthorized: authentication required\\)`));
    assert.match(pulled.stderr, /credentials for .* in .*config\.json \(user tester\) were not accepted/);
    assert.match(pulled.stderr, new RegExp(`docker login ${registry.address}`));
    assert.ok(!secretsIn(pulled.stdout + pulled.stderr));
  });

  it('without credentials says none were found for that registry', async () => {
    const pulled = await aicliWithEnv(dockerConfig('none', {}), 'pull', reference);
    assert.notEqual(pulled.code, 0);
    assert.match(pulled.stderr, new RegExp(`refused to give .*; no credentials for ${registry.address} were found in .*none/config\\.json`));
  });

  it('asks a credential helper (credHelpers) as the docker CLI does: the registry on stdin, JSON back', async () => {
    const helper = [
      '#!/bin/sh',
      '[ "$1" = get ] || exit 1',
      'read -r server',
      `[ "$server" = "${registry.address}" ] || { echo "credentials not found in native keychain"; exit 1; }`,
      `printf '{"ServerURL":"%s","Username":"${registryAccount.username}","Secret":"${registryAccount.password}"}' "$server"`,
      '',
    ].join('\n');
    const env = dockerConfig('helper', { credHelpers: { [registry.address]: 'aiclitest' } }, { aiclitest: helper });
    const pulled = await aicliWithEnv(env, 'pull', reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.ok(!secretsIn(pulled.stdout + pulled.stderr));
  });

  it('builds FROM the private image: the engine pulls it with the credentials (X-Registry-Config)', async () => {
    const context = join(scratch, 'context');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), `FROM ${reference}\nRUN echo built > /built\n`);
    const tag = `aicli-test-private-build-${testRunId}:1`;
    const env = dockerConfig('build', { auths: { [registry.address]: { auth: basicAuth(registryAccount.username, registryAccount.password) } } });
    try {
      const built = await aicliWithEnv(env, 'build', context, '--tag', tag);
      assert.equal(built.code, 0, built.stderr);
      assert.ok(!secretsIn(built.stdout + built.stderr));
      // Without credentials the engine cannot pull the base (gone from its cache now): refused, and said so.
      await connection.docker.getImage(tag).remove({ force: true });
      await connection.docker.getImage(reference).remove({ force: true });
      const without = await aicliWithEnv(dockerConfig('build-none', {}), 'build', context, '--tag', `${tag}-again`);
      console.log(`      ${without.stderr.trim().split('\n').slice(-1)[0]}`);
      assert.notEqual(without.code, 0);
      assert.match(without.stderr, /no basic auth credentials|unauthorized/i);
      assert.match(
        without.stderr,
        new RegExp(`The registry ${registry.address} wants a login that .*build-none/config\\.json does not hold: run \`docker login ${registry.address}\``),
      );
    } finally {
      for (const image of [tag, `${tag}-again`])
        await connection.docker
          .getImage(image)
          .remove({ force: true })
          .catch(() => undefined);
    }
  });
});
