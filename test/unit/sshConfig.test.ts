import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../../src/engine/errors';
import { parseDockerHost } from '../../src/engine/host';
import { applySshConfig, readSshConfig } from '../../src/engine/sshConfig';
import { isEncryptedPrivateKey, sshLogin } from '../../src/engine/sshLogin';
import { EngineTarget } from '../../src/engine/target';

const home = '/home/me';
const config = [
  'Host build',
  '  HostName build-box.example',
  '  User builder',
  '  Port 2200',
  '  IdentityFile ~/.ssh/build_%h_%r',
  '  UserKnownHostsFile ~/.ssh/known_build',
  '',
  'Host *.corp',
  '  HostName %h.internal',
  '',
  'Host jumpy',
  '  ProxyJump bastion',
  '',
  'Host *',
  '  User everyone',
  '  Port 2201',
].join('\n');

describe('ssh config for ssh:// engines', () => {
  it('turns an alias into its HostName, User, Port and IdentityFile (tokens and ~ expanded)', () => {
    const destination = applySshConfig({ host: 'build' }, config, home);
    assert.equal(destination.hostName, 'build-box.example');
    assert.equal(destination.username, 'builder');
    assert.equal(destination.port, 2200);
    assert.deepEqual(destination.identityFiles, ['/home/me/.ssh/build_build-box.example_builder']);
    assert.deepEqual(destination.knownHostsFiles, ['/home/me/.ssh/known_build']);
  });

  it('lets the host string win over the config, and the first value the config gives win over later ones', () => {
    const destination = applySshConfig({ host: 'build', port: 22, username: 'me' }, config, home);
    assert.deepEqual([destination.hostName, destination.port, destination.username], ['build-box.example', 22, 'me']);
    const other = applySshConfig({ host: 'elsewhere' }, config, home);
    assert.deepEqual([other.hostName, other.port, other.username], ['elsewhere', 2201, 'everyone']);
  });

  it("expands a wildcard HostName's %h to the host as given", () => {
    assert.equal(applySshConfig({ host: 'db.corp' }, config, home).hostName, 'db.corp.internal');
  });

  it('without a config, the host as given on port 22', () => {
    const destination = applySshConfig({ host: 'plain' }, undefined, home);
    assert.deepEqual([destination.hostName, destination.port, destination.username, destination.identityFiles], ['plain', 22, undefined, []]);
  });

  it('refuses ProxyJump with what to do instead', () => {
    assert.throws(
      () => applySshConfig({ host: 'jumpy' }, config, home),
      (err: unknown) =>
        err instanceof EngineError && /sends jumpy through a proxy \(ProxyJump bastion\)/.test(err.message) && /ssh -N -L/.test(err.suggestion ?? ''),
    );
  });

  it('runs no Match exec command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aicli-sshcfg-'));
    const marker = join(dir, 'ran');
    try {
      const destination = applySshConfig({ host: 'x' }, `Match exec "touch ${marker}"\n  User matched\nHost x\n  HostName x.example\n`, home);
      assert.equal(existsSync(marker), false, 'Match exec ran a command');
      assert.deepEqual([destination.hostName, destination.username], ['x.example', undefined]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows Include (relative to ~/.ssh, with a wildcard), as ssh reads it', () => {
    const fakeHome = mkdtempSync(join(tmpdir(), 'aicli-sshhome-'));
    try {
      mkdirSync(join(fakeHome, '.ssh', 'config.d'), { recursive: true });
      writeFileSync(join(fakeHome, '.ssh', 'config'), 'Include config.d/*\nInclude ~/.ssh/missing\nHost *\n  User fallback\n');
      writeFileSync(join(fakeHome, '.ssh', 'config.d', '10-work'), 'Host work\n  HostName work.example\n  User worker\n');
      writeFileSync(join(fakeHome, '.ssh', 'config.d', '20-home'), 'Host home\n  HostName home.example\n');
      const text = readSshConfig(join(fakeHome, '.ssh', 'config'), fakeHome);
      const work = applySshConfig({ host: 'work' }, text, fakeHome);
      const homeHost = applySshConfig({ host: 'home' }, text, fakeHome);
      assert.deepEqual([work.hostName, work.username, homeHost.hostName, homeHost.username], ['work.example', 'worker', 'home.example', 'fallback']);
    } finally {
      rmSync(fakeHome, { recursive: true, force: true });
    }
  });
});

describe('ssh keys for ssh:// engines', () => {
  let dir = '';
  const keygen = (name: string, passphrase: string, ...extra: string[]): string => {
    const file = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', extra.length ? 'rsa' : 'ed25519', '-N', passphrase, '-f', file, ...extra]);
    return file;
  };
  const target = (host: string, extra: Partial<EngineTarget> = {}): EngineTarget => ({
    host,
    spec: parseDockerHost(host),
    source: 'setting',
    timeoutMs: 1000,
    ...extra,
  });

  before(() => (dir = mkdtempSync(join(tmpdir(), 'aicli-sshkeys-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tells keys with a passphrase (OpenSSH and PEM) from keys without', () => {
    const read = (file: string): Buffer => execFileSync('cat', [file]);
    assert.equal(isEncryptedPrivateKey(read(keygen('plain', ''))), false);
    assert.equal(isEncryptedPrivateKey(read(keygen('locked', 'secret'))), true);
    assert.equal(isEncryptedPrivateKey(read(keygen('pem-locked', 'secret', '-b', '2048', '-m', 'PEM'))), true);
    assert.equal(isEncryptedPrivateKey(read(keygen('pem-plain', '', '-b', '2048', '-m', 'PEM'))), false);
  });

  it("uses the config's IdentityFile and UserKnownHostsFile for an alias", () => {
    const key = keygen('alias-key', '');
    const configFile = join(dir, 'config');
    writeFileSync(configFile, `Host box\n  HostName 198.18.0.9\n  Port 2222\n  User root\n  IdentityFile ${key}\n  UserKnownHostsFile ${dir}/kh\n`);
    const login = sshLogin(target('ssh://box', { sshConfigFile: configFile }), dir, undefined);
    assert.deepEqual([login.hostName, login.port, login.username, login.knownHostsFile], ['198.18.0.9', 2222, 'root', `${dir}/kh`]);
    assert.ok(login.privateKey?.toString().includes('OPENSSH PRIVATE KEY'));
  });

  it('a key with a passphrase: a clear message naming ssh-agent, or left to the agent when one runs', () => {
    const locked = join(dir, 'locked');
    const configFile = join(dir, 'config-locked');
    writeFileSync(configFile, `Host box\n  IdentityFile ${locked}\n`);
    const expectEncrypted = (err: unknown): boolean =>
      err instanceof EngineError &&
      err.message.includes(`The SSH key ${locked} for ssh://box is protected by a passphrase`) &&
      /ssh-add/.test(err.suggestion ?? '');
    assert.throws(() => sshLogin(target('ssh://box', { sshConfigFile: configFile }), dir, undefined), expectEncrypted);
    assert.equal(sshLogin(target('ssh://box', { sshConfigFile: configFile }), dir, '/run/agent.sock').privateKey, undefined);
    // The engine's own sshKey with a passphrase is refused even with an agent: it was asked for by name.
    assert.throws(() => sshLogin(target('ssh://box', { sshKey: locked, sshConfigFile: configFile }), dir, '/run/agent.sock'), expectEncrypted);
  });
});
