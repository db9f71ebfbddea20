// Makes `npm start` and `npm test` work on a fresh clone: installs the Debian packages the
// npm install and the tests need (when root with apt), then `npm ci` with the settings
// code-server's install needs. Only installs what is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// chromium: the UI tests; ripgrep: an `rg` for code-server's install; libkrb5-dev: kerberos
// compiles; docker-registry: the loopback registry the pull tests push to and pull from;
// openssh-server: the sshd of the ssh:// engine tests; runsc: gVisor, the sandboxed level's runtime;
// btrfs-progs: the btrfs test engine of the disk limit tests; podman and catatonit: the Podman
// engine of its tests (scripts/podman.mjs; catatonit is its init).
const debianPackages = ['chromium', 'ripgrep', 'libkrb5-dev', 'docker-registry', 'openssh-server', 'runsc', 'btrfs-progs', 'podman', 'catatonit'];

function missingPackages() {
  return debianPackages.filter((name) => spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status !== 0);
}

/**
 * @param {string} root the repository
 * @param {(line: string) => void} [log]
 */
export function ensureDependencies(root, log = (line) => console.log(`[bootstrap] ${line}`)) {
  const canApt = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const missing = canApt ? missingPackages() : [];
  if (missing.length) {
    log(`installing Debian packages: ${missing.join(' ')}`);
    // Packages only: no service may start (sshd on :22, a registry on :5000) during the install.
    const policy = '/usr/sbin/policy-rc.d';
    const ownPolicy = !existsSync(policy);
    if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } finally {
      if (ownPolicy) rmSync(policy, { force: true });
    }
  }
  // One package of each kind the phases need: a checkout from before a dependency was added installs again.
  const installed = ['code-server', 'mocha', 'eslint', 'typescript-eslint', 'prettier'].every((name) =>
    existsSync(join(root, 'node_modules', name, 'package.json')),
  );
  if (installed) return;
  // @vscode/ripgrep (inside code-server) downloads rg from GitHub unless this cache exists.
  const cache = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (!existsSync(tarball) && existsSync('/usr/bin/rg')) {
    mkdirSync(cache, { recursive: true });
    execFileSync('tar', ['czf', tarball, '-C', '/usr/bin', 'rg']);
  }
  log('installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    // unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty runs npx;
    // nodedir: node-gyp builds against the local headers instead of downloading them.
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_nodedir: process.env.npm_config_nodedir || '/usr' },
  });
}
