// @ts-check
// `node scripts/engine.mjs start | stop [--all] | status | build-image [--force]`
import fs from 'node:fs';
import { DEFAULT_HOST, engineVersion, pingEngine } from './api.mjs';
import { stopAllOnDataRoot } from './daemon.mjs';
import { BASE_IMAGE, buildBaseImage, inspectBaseImage } from './image.mjs';
import { withLock } from './lock.mjs';
import { enginePaths, listThrowaways, throwawayPaths } from './paths.mjs';
import { ensureEngine } from './private.mjs';
import { isAlive, isOurDockerd, readPid } from './processes.mjs';
import { errorMessage, prefixer } from './util.mjs';

/** @typedef {import('./util.mjs').Say} Say */

/**
 * One line per engine we know of: whether it answers, its version, our pid.
 * @param {Say} say
 * @returns {Promise<string | null>} the first host that answers
 */
async function reportEngines(say) {
  const paths = enginePaths();
  /** @type {[string, string][]} */
  const rows = [];
  if (process.env.DOCKER_HOST) rows.push(['DOCKER_HOST', process.env.DOCKER_HOST]);
  rows.push(['default', DEFAULT_HOST], ['private', paths.host]);
  /** @type {string | null} */
  let ready = null;
  for (const [label, host] of rows) {
    const up = await pingEngine(host);
    let extra = '';
    if (up) {
      ready ??= host;
      const v = await engineVersion(host);
      if (v) extra = ` (dockerd ${v.version}, API ${v.api})`;
    }
    if (label === 'private') {
      const pid = readPid(paths.pidfile);
      if (pid) extra += isOurDockerd(pid, paths) ? `, pid ${pid}` : `, stale pid file (${pid})`;
    }
    say(`${label.padEnd(11)} ${host}: ${up ? 'answers' : 'no answer'}${extra}`);
  }
  for (const name of listThrowaways()) {
    const { paths: tp } = throwawayPaths(name);
    const pid = readPid(tp.pidfile);
    const up = await pingEngine(tp.host);
    say(`throwaway   ${tp.host}: ${up ? 'answers' : 'no answer'}${pid && isOurDockerd(pid, tp) ? `, pid ${pid}` : ''}`);
  }
  return ready;
}

/** @param {Say} say @returns {Promise<number>} 0 if an engine answers, else 3 */
async function cliStatus(say) {
  const ready = await reportEngines(say);
  if (!ready) return 3;
  try {
    const img = await inspectBaseImage(ready);
    say(
      img
        ? `base image  ${BASE_IMAGE}: present ${img.id.slice(7, 19)}, ${(img.size / 1e6).toFixed(1)} MB, version ${img.labels['aicli.base.version'] ?? '?'}`
        : `base image  ${BASE_IMAGE}: missing`,
    );
  } catch (e) {
    say(`base image  ${BASE_IMAGE}: ${errorMessage(e)}`);
  }
  return 0;
}

/** @param {Say} say @param {boolean} all also the throwaway engines @returns {Promise<number>} */
async function cliStop(say, all) {
  const paths = enginePaths();
  const pid = readPid(paths.pidfile);
  if (pid && !isOurDockerd(pid, paths)) {
    say(`pid ${pid} in ${paths.pidfile} is not our dockerd: not touching it`);
    if (!isAlive(pid)) fs.rmSync(paths.pidfile, { force: true });
  }
  // the recorded pid if it is our dockerd, plus any dockerd still running on our data root
  const stopped = await withLock(paths.lockFile, say, () => stopAllOnDataRoot(paths, say));
  if (!stopped) say(`no private dockerd of ours is running (pid file ${paths.pidfile})`);
  if (all) {
    for (const name of listThrowaways()) {
      const { paths: tp } = throwawayPaths(name);
      await withLock(tp.lockFile, say, () => stopAllOnDataRoot(tp, say));
    }
  }
  return 0;
}

/** @param {Say} say @param {string | undefined} cmd @returns {number} */
function usage(say, cmd) {
  say('usage: node scripts/engine.mjs start | stop [--all] | status | build-image [--force]');
  say('  start        use a running engine or start a private dockerd; build aicli/base:latest; print DOCKER_HOST');
  say('  stop         stop the private dockerd of an earlier `start` (--all: also throwaway engines)');
  say('  status       which engines answer, pids, base image');
  return cmd ? 2 : 0;
}

/**
 * Runs one CLI command; resolves the exit code.
 * @param {string[]} argv the arguments after the script
 * @returns {Promise<number>}
 */
export async function main(argv) {
  const say = prefixer(console.error);
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start': {
      const engine = await ensureEngine({ log: console.error });
      console.log(`[engine] DOCKER_HOST=${engine.host}`);
      return 0;
    }
    case 'stop':
      return cliStop(say, rest.includes('--all'));
    case 'status':
      return cliStatus(say);
    case 'build-image': {
      const engine = await ensureEngine({ log: console.error, baseImage: false });
      await buildBaseImage(engine.host, { log: console.error, force: rest.includes('--force') });
      return 0;
    }
    default:
      return usage(say, cmd);
  }
}

/** Runs the CLI with this process's arguments and sets its exit code. */
export function runCli() {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      for (const line of String(e?.message ?? e).split('\n')) console.error(`[engine] ${line}`);
      process.exitCode = 1;
    },
  );
}
