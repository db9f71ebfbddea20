// @ts-check
// The offline base image `aicli/base:latest`: a static busybox imported as one layer.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { dockerEnv, findDockerCli, inspectImage } from './api.mjs';
import { aptInstall } from './apt.mjs';
import { busyboxApplets, findStaticBusybox } from './busybox.mjs';
import { rootfsEntries, withRootfsTar } from './rootfs.mjs';
import { isRoot, ms, prefixer, which } from './util.mjs';

/** @typedef {import('./util.mjs').Log} Log */
/** @typedef {import('./util.mjs').Say} Say */

export const BASE_IMAGE = 'aicli/base:latest';
/** Bump when the base image recipe changes: an image with another version is rebuilt. */
export const BASE_IMAGE_VERSION = '1';

/**
 * Inspects `aicli/base:latest`: null if missing, else its id, size and labels.
 * @param {string} host
 * @param {string} [image]
 */
export function inspectBaseImage(host, image = BASE_IMAGE) {
  return inspectImage(host, image);
}

/** @param {Say} say @returns {Promise<string>} a static busybox, installing busybox-static where we may */
async function staticBusybox(say) {
  let busybox = findStaticBusybox();
  if (!busybox && process.platform === 'linux' && isRoot() && which('apt-get')) {
    await aptInstall(say);
    busybox = findStaticBusybox();
  }
  if (busybox) return busybox;
  throw new Error(
    `cannot build ${BASE_IMAGE}: no statically linked busybox found (looked at $AICLI_BUSYBOX, /bin/busybox, /usr/bin/busybox). ` +
      "Install it (Debian/Ubuntu: `sudo apt-get install busybox-static`) or set AICLI_BUSYBOX to a static busybox binary for the engine's architecture.",
  );
}

/**
 * `docker import` of `tarFile` as `image`, with the base image's config and labels.
 * @param {string} docker the CLI
 * @param {string} host
 * @param {string} tarFile
 * @param {string} image
 * @returns {Promise<string>} the new image's id
 */
function dockerImport(docker, host, tarFile, image) {
  const changes = [
    'CMD ["/bin/sh"]',
    'WORKDIR /workspace',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'LABEL aicli.base=true',
    `LABEL aicli.base.version=${BASE_IMAGE_VERSION}`,
  ];
  const args = ['import', ...changes.flatMap((change) => ['--change', change]), tarFile, image];
  return new Promise((resolve, reject) => {
    const child = spawn(docker, args, { env: dockerEnv(host), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`docker import of ${image} failed (exit ${code}): ${err.trim()}`))));
  });
}

/**
 * Makes sure `aicli/base:latest` exists on the engine at `host`, building it offline from
 * a static busybox if it is missing (or was built by another recipe version). The image is
 * labelled `aicli.base=true` (NOT `aicli.managed`, so cleanup by that label keeps it).
 *
 * @param {string} host e.g. 'unix:///…/docker.sock'
 * @param {{ log?: Log, force?: boolean, image?: string }} [opts]
 *   image: another tag to build the same image as (a check that must not touch the real one)
 * @returns {Promise<{ image: string, built: boolean, id: string }>}
 */
export async function buildBaseImage(host, { log = console.error, force = false, image = BASE_IMAGE } = {}) {
  const say = prefixer(log);
  const t0 = Date.now();
  const existing = await inspectBaseImage(host, image);
  if (existing && !force && existing.labels['aicli.base.version'] === BASE_IMAGE_VERSION) {
    say(`base image ${image} present (${existing.id.slice(7, 19)})`);
    return { image, built: false, id: existing.id };
  }
  const docker = findDockerCli();
  if (!docker) throw new Error('the docker CLI is needed to build the base image: install docker.io (or Docker)');
  const busybox = await staticBusybox(say);
  const applets = busyboxApplets(busybox);
  const id = await withRootfsTar(rootfsEntries(busybox, applets), (tarFile) => {
    const size = fs.statSync(tarFile).size;
    const why = existing ? (force ? ' (forced rebuild)' : ' to replace another recipe version') : '';
    say(`building ${image} from ${busybox} (${applets.length} applets, ${(size / 1e6).toFixed(1)} MB tar)${why}`);
    return dockerImport(docker, host, tarFile, image);
  });
  say(`built ${image} ${id.slice(7, 19)} (${ms(t0)})`);
  return { image, built: true, id };
}
