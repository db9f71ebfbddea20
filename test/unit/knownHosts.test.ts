import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownHostKeys, knownHostsName, knownHostsVerifier } from '../../src/engine/knownHosts';

const hashed = (name: string, salt = Buffer.from('0123456789abcdef0123')): string =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

describe('known_hosts', () => {
  it('names non-22 ports the way OpenSSH writes them', () => {
    assert.equal(knownHostsName('build-box', 22), 'build-box');
    assert.equal(knownHostsName('10.0.0.5', 2222), '[10.0.0.5]:2222');
  });

  it('finds plain, comma-listed and hashed entries for the host and port, and skips revoked keys', () => {
    const text = [
      '# comment',
      'build-box,10.0.0.5 ssh-ed25519 PLAINKEY',
      '[10.0.0.5]:2222 ssh-ed25519 PORTKEY',
      `${hashed('[gpu]:2200')} ssh-ed25519 HASHEDKEY`,
      '@revoked build-box ssh-rsa OLDKEY',
      '@cert-authority *.corp ssh-rsa CAKEY',
      'other ssh-ed25519 OTHERKEY',
    ].join('\n');
    assert.deepEqual(knownHostKeys(text, 'build-box', 22), ['PLAINKEY']);
    assert.deepEqual(knownHostKeys(text, '10.0.0.5', 2222), ['PORTKEY']);
    assert.deepEqual(knownHostKeys(text, 'gpu', 2200), ['HASHEDKEY']);
    assert.deepEqual(knownHostKeys(text, 'gpu', 22), []);
  });

  it('the verifier accepts only a listed key and treats a missing file as knowing no host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aicli-kh-'));
    try {
      const key = Buffer.from('the host key blob');
      const file = join(dir, 'known_hosts');
      writeFileSync(file, `[10.0.0.5]:2222 ssh-ed25519 ${key.toString('base64')}\n`);
      assert.equal(knownHostsVerifier('10.0.0.5', 2222, file)(key), true);
      assert.equal(knownHostsVerifier('10.0.0.5', 2222, file)(Buffer.from('another key')), false);
      assert.equal(knownHostsVerifier('10.0.0.5', 22, file)(key), false);
      assert.equal(knownHostsVerifier('10.0.0.5', 2222, join(dir, 'missing'))(key), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
