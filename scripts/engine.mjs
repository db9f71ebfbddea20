#!/usr/bin/env node
// @ts-check
// Finds or starts a Docker engine for development and tests, and builds the offline
// base image `aicli/base:latest`. Node built-ins (and the system's GNU tar) only.
//
//   import { ensureEngine } from './engine.mjs';
//   const engine = await ensureEngine({ log: console.error });
//   // engine = { host: 'unix:///…/docker.sock', startedByUs: boolean, stop: async () => void }
//
// CLI:  node scripts/engine.mjs start | stop [--all] | status | build-image [--force]
//
// Order of ensureEngine():
//   1. an engine that already answers GET /_ping at $DOCKER_HOST (if set), then
//      unix:///var/run/docker.sock, then our private socket (left running by an earlier
//      `start`) is used as is: never stopped (stop() is a no-op, startedByUs = false);
//   2. otherwise, as root on Linux, a PRIVATE dockerd is started (after
//      `apt-get install -y docker.io iptables busybox-static` if dockerd is missing) with
//      everything under ${XDG_CACHE_HOME:-$HOME/.cache}/aicli-workspaces/engine;
//   3. otherwise an Error tells the user what to do.
// Then the base image is built if it is missing, and process.env.DOCKER_HOST is set.
//
// The parts live in engine/: paths (cache folder, sockets), processes and leftovers
// (/proc, pid files, stopping), lock, apt, daemon (starting and stopping dockerd), api
// (ping, version, inspect), private (ensureEngine), throwaway, busybox, rootfs and image
// (the base image), cli.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './engine/cli.mjs';

export { DEFAULT_HOST, pingEngine } from './engine/api.mjs';
export { BASE_IMAGE, BASE_IMAGE_VERSION, buildBaseImage } from './engine/image.mjs';
export { cacheRoot, enginePaths } from './engine/paths.mjs';
export { ensureEngine, startPrivateEngine } from './engine/private.mjs';
export { startThrowawayEngine } from './engine/throwaway.mjs';

const invokedDirectly = (() => {
  try {
    return Boolean(process.argv[1]) && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) runCli();
