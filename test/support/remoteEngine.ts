// A second, "remote" dockerd for the multi-engine tests: a throwaway engine in a network
// namespace of its own, reachable from here only over a veth pair the test creates (addresses
// from 198.18.0.0/15, the range set aside for network tests), serving tcp:// with TLS and
// client certificates the test generates. Traffic goes only to that namespace.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolder } from './folders';
import { acceptsTcp } from './net';
import { poll } from './waits';

export interface TlsMaterialDirs {
  /** ca.pem, cert.pem, key.pem a client uses (signed by the engine's CA). */
  client: string;
  /** The same files from a CA the engine does not know: must be refused. */
  foreign: string;
  /** ca.pem, server-cert.pem, server-key.pem for dockerd. */
  server: string;
  root: string;
}

const openssl = (args: string[], cwd: string): void => void execFileSync('openssl', args, { cwd, stdio: 'ignore' });

function makeCa(dir: string, subject: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${subject}`,
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
    ],
    dir,
  );
}

function signed(dir: string, name: string, subject: string, extensions: string): void {
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${subject}`,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  execFileSync('sh', ['-c', `printf '%s\\n' '${extensions}' > ${name}.ext`], { cwd: dir });
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
}

/** A CA, a server certificate for `address` and a client certificate; and a foreign client set. */
export function makeTlsMaterial(address: string): TlsMaterialDirs {
  const root = makeFolder('aicli-tls-');
  const server = join(root, 'server');
  const client = join(root, 'client');
  const foreign = join(root, 'foreign');
  for (const dir of [server, client, foreign]) execFileSync('mkdir', ['-p', dir]);
  makeCa(server, 'aicli-test-ca');
  signed(server, 'server', address, `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth`);
  signed(server, 'client', 'aicli-test-client', 'extendedKeyUsage=clientAuth');
  execFileSync('sh', [
    '-c',
    `cp ${server}/ca.pem ${client}/ca.pem && cp ${server}/client.pem ${client}/cert.pem && cp ${server}/client-key.pem ${client}/key.pem`,
  ]);
  makeCa(foreign, 'aicli-foreign-ca');
  signed(foreign, 'client', 'aicli-foreign-client', 'extendedKeyUsage=clientAuth');
  execFileSync('sh', ['-c', `cd ${foreign} && mv client.pem cert.pem && mv client-key.pem key.pem`]);
  return { client, foreign, server, root };
}

const ip = (args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

/** A /30 in 198.18.0.0/15 that no interface here uses yet. */
export function freeTestSubnet(): { hostAddress: string; engineAddress: string } {
  const used = ip(['-o', '-4', 'addr', 'show']);
  for (let attempt = 0; attempt < 64; attempt++) {
    const third = Math.floor(Math.random() * 256);
    const fourth = Math.floor(Math.random() * 64) * 4;
    const prefix = `198.18.${third}.`;
    if (used.includes(prefix)) continue;
    return { hostAddress: `${prefix}${fourth + 1}`, engineAddress: `${prefix}${fourth + 2}` };
  }
  throw new Error('no free /30 in 198.18.0.0/16 for the test engine');
}

/**
 * Connects the network namespace of process `pid` to this one with a veth pair. The pair is
 * deleted with the namespace (when that dockerd exits) or by unplug().
 */
export function plugNamespace(pid: number, addresses: { hostAddress: string; engineAddress: string }): { unplug(): void } {
  const suffix = Math.random().toString(36).slice(2, 8);
  const hostSide = `acH${suffix}`;
  const engineSide = `acN${suffix}`;
  ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', engineSide]);
  try {
    ip(['link', 'set', engineSide, 'netns', String(pid)]);
    ip(['addr', 'add', `${addresses.hostAddress}/30`, 'dev', hostSide]);
    ip(['link', 'set', hostSide, 'up']);
    const inNamespace = (args: string[]): void => void execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', ...args]);
    inNamespace(['addr', 'add', `${addresses.engineAddress}/30`, 'dev', engineSide]);
    inNamespace(['link', 'set', engineSide, 'up']);
    inNamespace(['link', 'set', 'lo', 'up']);
  } catch (err) {
    execFileSync('ip', ['link', 'del', hostSide], { stdio: 'ignore' });
    throw err;
  }
  return {
    unplug() {
      try {
        execFileSync('ip', ['link', 'del', hostSide], { stdio: 'ignore' });
      } catch {
        // already gone with its namespace
      }
    },
  };
}

export function removeTlsMaterial(material: TlsMaterialDirs | undefined): void {
  if (material) rmSync(material.root, { recursive: true, force: true });
}

export interface TestSshd {
  /** ssh://root@address:port */
  host: string;
  /** A private key root may log in with. */
  clientKey: string;
  /** A known_hosts file that lists this sshd's host key; an empty one for "unknown host". */
  knownHosts: string;
  emptyKnownHosts: string;
  stop(): void;
}

/**
 * OpenSSH's sshd inside the network namespace of process `pid` (the remote dockerd's), with a
 * host key and a client key made here; logins run `docker system dial-stdio` against
 * `engineHost` (the remote dockerd's own socket), which is what an ssh:// Docker host does.
 */
export function startSshd(pid: number, address: string, engineHost: string): TestSshd {
  const dir = makeFolder('aicli-sshd-');
  const keygen = (file: string): void => void execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, file)]);
  keygen('host_ed25519');
  keygen('client_ed25519');
  execFileSync('cp', [join(dir, 'client_ed25519.pub'), join(dir, 'root_keys')]);
  const port = 2222;
  const config = join(dir, 'sshd_config');
  execFileSync('sh', ['-c', `cat > ${config}`], {
    input: [
      `Port ${port}`,
      'ListenAddress 0.0.0.0',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${dir}/%u_keys`,
      'AllowUsers root',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `SetEnv DOCKER_HOST=${engineHost}`,
      '',
    ].join('\n'),
  });
  execFileSync('mkdir', ['-p', '/run/sshd']);
  const hostKey = execFileSync('cat', [join(dir, 'host_ed25519.pub')], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ');
  const knownHosts = join(dir, 'known_hosts');
  const emptyKnownHosts = join(dir, 'known_hosts.empty');
  execFileSync('sh', ['-c', `echo '[${address}]:${port} ${hostKey}' > ${knownHosts}; : > ${emptyKnownHosts}`]);
  // -D: stay in the foreground of nsenter; killed by stop() (and with the namespace's dockerd).
  const child = spawn('nsenter', ['-t', String(pid), '-n', '/usr/sbin/sshd', '-D', '-e', '-f', config], { stdio: 'ignore' });
  return {
    host: `ssh://root@${address}:${port}`,
    clientKey: join(dir, 'client_ed25519'),
    knownHosts,
    emptyKnownHosts,
    stop() {
      // The listener and every session it forked (they outlive the listener): each sshd in that namespace.
      for (const other of sshdsInNamespaceOf(pid)) {
        try {
          process.kill(other, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sshdsInNamespaceOf(pid: number): number[] {
  const namespaceOf = (p: string): string | undefined => {
    try {
      return readlinkSync(`/proc/${p}/ns/net`);
    } catch {
      return undefined;
    }
  };
  const target = namespaceOf(String(pid));
  if (!target) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && namespaceOf(entry) === target)
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'sshd';
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Resolves once something accepts TCP connections on address:port (the sshd above). */
export async function untilListening(address: string, port: number, timeoutMs = 10_000): Promise<void> {
  await poll(`something to listen on ${address}:${port}`, timeoutMs, () => acceptsTcp(address, port), 100);
}
