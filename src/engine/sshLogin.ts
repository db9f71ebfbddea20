import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, SshReached } from './errors';
import { applySshConfig, defaultSshConfigFile, readSshConfig, SshDestination } from './sshConfig';
import { EngineTarget } from './target';

/** How the ssh transport logs in to an ssh:// engine. */
export interface SshLogin extends Omit<SshDestination, 'identityFiles' | 'knownHostsFiles'> {
  /** A key file's contents; undefined: ssh-agent alone. */
  privateKey?: Buffer;
  /** known_hosts to check the host key against; undefined: ~/.ssh/known_hosts. */
  knownHostsFile?: string;
}

/** ssh's own default identities, tried when neither the engine nor the config names one. */
const defaultIdentities = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

const opensshMagic = 'openssh-key-v1\0';

/**
 * Whether a private key file needs a passphrase: PKCS#8 "ENCRYPTED PRIVATE KEY", an old PEM key
 * with "Proc-Type: 4,ENCRYPTED", or an OpenSSH key whose cipher is not "none".
 */
export function isEncryptedPrivateKey(key: Buffer): boolean {
  const text = key.toString('utf8');
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(text)) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (body === undefined) return false;
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (bytes.subarray(0, opensshMagic.length).toString('latin1') !== opensshMagic || bytes.length < opensshMagic.length + 4) return false;
  const length = bytes.readUInt32BE(opensshMagic.length);
  const cipher = bytes.subarray(opensshMagic.length + 4, opensshMagic.length + 4 + length).toString('latin1');
  return cipher !== 'none';
}

function encryptedKeyError(file: string, host: string): EngineError {
  return new EngineError(
    'permissionDenied',
    `The SSH key ${file} for ${host} is protected by a passphrase, which AICLI cannot ask for.`,
    `Load it into ssh-agent (ssh-add ${file}) and make sure SSH_AUTH_SOCK reaches VS Code, or use a key without a passphrase.`,
  );
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function readEngineKey(target: EngineTarget, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new EngineError(
      'permissionDenied',
      `Cannot read the SSH key ${file} for ${target.host}: ${(err as Error).message}.`,
      'Fix "sshKey" of this engine in aicli.engines, or leave it out to use ssh-agent.',
      [{ id: 'openSettings', label: 'Open Settings' }],
      err,
    );
  }
}

/**
 * The key to offer: the engine's own sshKey, else the first readable key without a passphrase
 * among the config's IdentityFile entries (or ssh's default identities when it names none).
 * A key with a passphrase is left to ssh-agent; with no agent to hold it, that is the error.
 */
function chooseKey(target: EngineTarget, identityFiles: string[], home: string, agent: string | undefined): Buffer | undefined {
  if (target.sshKey) {
    const key = readEngineKey(target, target.sshKey);
    if (isEncryptedPrivateKey(key)) throw encryptedKeyError(target.sshKey, target.host);
    return key;
  }
  const candidates = identityFiles.length ? identityFiles : defaultIdentities.map((name) => join(home, '.ssh', name));
  const encrypted: string[] = [];
  for (const file of candidates) {
    const key = readIfPresent(file);
    if (!key) continue;
    if (!isEncryptedPrivateKey(key)) return key;
    encrypted.push(file);
  }
  if (encrypted.length && !agent) throw encryptedKeyError(encrypted[0] as string, target.host);
  return undefined;
}

/** An ssh:// target's host string, then ~/.ssh/config (or its sshConfigFile). */
function destinationOf(target: EngineTarget, home: string): SshDestination {
  if (target.spec.scheme !== 'ssh') throw new Error(`an ssh:// target is needed, not ${target.host}`);
  const spec = target.spec;
  return applySshConfig(
    { host: spec.host, port: spec.portGiven ? spec.port : undefined, username: spec.username },
    readSshConfig(target.sshConfigFile ?? defaultSshConfigFile(home), home),
    home,
  );
}

/** The login for an ssh:// target: its host string, then ~/.ssh/config, then the keys. */
export function sshLogin(target: EngineTarget, home: string, agent = process.env.SSH_AUTH_SOCK): SshLogin {
  const { identityFiles, knownHostsFiles, ...destination } = destinationOf(target, home);
  return {
    ...destination,
    privateKey: chooseKey(target, identityFiles, home, agent),
    knownHostsFile: target.knownHostsFile ?? knownHostsFiles[0],
  };
}

/** Where the login goes, for messages (no key is read): the config's HostName and Port, the known_hosts checked. */
export function sshReached(target: EngineTarget, home: string): SshReached | undefined {
  if (target.spec.scheme !== 'ssh') return undefined;
  try {
    const { hostName, port, username, knownHostsFiles } = destinationOf(target, home);
    return { hostName, port, username, knownHostsFile: target.knownHostsFile ?? knownHostsFiles[0] };
  } catch {
    // A config the login itself refuses (ProxyJump): that error is the one to show.
    return undefined;
  }
}
