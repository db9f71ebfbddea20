// @ts-check
// Installing what a private engine and the egress gateway image need, with apt-get.
import { ms, pathWithSbin, runCapture, tail } from './util.mjs';

/** @typedef {import('./util.mjs').Say} Say */

// dnsmasq-base, nftables, tcpdump: the egress gateway image is built from them (src/workspace/gatewayImage.ts);
// runsc: gVisor, the runtime of the sandboxed level (the private engine registers it).
export const APT_PACKAGES = ['docker.io', 'iptables', 'busybox-static', 'dnsmasq-base', 'nftables', 'tcpdump', 'runsc'];

/**
 * apt-get install -y APT_PACKAGES (apt-get update first only on failure).
 * @param {Say} say
 */
export async function aptInstall(say) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: pathWithSbin() };
  const t0 = Date.now();
  say(`installing ${APT_PACKAGES.join(' ')} with apt-get (can take a minute) ...`);
  let r = await runCapture('apt-get', ['install', '-y', ...APT_PACKAGES], { env });
  if (r.code !== 0) {
    say('apt-get install failed; running apt-get update and retrying');
    const u = await runCapture('apt-get', ['update'], { env });
    if (u.code !== 0) say(`apt-get update failed:\n${tail(u.out)}`);
    r = await runCapture('apt-get', ['install', '-y', ...APT_PACKAGES], { env });
  }
  if (r.code !== 0) {
    throw new Error(
      `apt-get install -y ${APT_PACKAGES.join(' ')} failed (exit ${r.code}):\n${tail(r.out)}\n` +
        'Install Docker yourself, start it, or set DOCKER_HOST to a running engine.',
    );
  }
  say(`installed ${APT_PACKAGES.join(' ')} (${ms(t0)})`);
}
