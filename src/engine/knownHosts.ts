import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The OpenSSH name of a host in known_hosts: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesHashed(pattern: string, name: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name)) — what HashKnownHosts writes.
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/**
 * The base64 host keys known_hosts lists for host:port (plain or hashed names, comma lists;
 * @revoked lines are skipped and ! negations ignored, as an accepted key must be listed).
 */
export function knownHostKeys(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const keys: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    if (fields[0]?.startsWith('@')) {
      if (fields[0] === '@revoked') continue;
      fields.shift();
    }
    const [patterns, , key] = fields;
    if (!patterns || !key) continue;
    const listed = patterns.split(',').some((pattern) => (pattern.startsWith('|1|') ? matchesHashed(pattern, name) : pattern === name));
    if (listed) keys.push(key);
  }
  return keys;
}

export const defaultKnownHostsFile = (): string => join(homedir(), '.ssh', 'known_hosts');

/** ssh2's hostVerifier for one host: accepts only a key that known_hosts lists for it. */
export function knownHostsVerifier(host: string, port: number, file = defaultKnownHostsFile()): (key: Buffer) => boolean {
  return (key: Buffer) => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No file: every host is unknown.
    }
    return knownHostKeys(text, host, port).includes(key.toString('base64'));
  };
}
