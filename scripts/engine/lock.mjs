// @ts-check
// A lock file (O_EXCL) per engine folder, so that two processes do not start two dockerds
// on one data root.
import fs from 'node:fs';
import path from 'node:path';
import { isAlive, readPid } from './processes.mjs';
import { errorCode, sleep } from './util.mjs';

/** @typedef {import('./util.mjs').Say} Say */

/** @param {string} lockFile @returns {boolean} true if we now hold it */
function tryTake(lockFile) {
  try {
    fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
    return false;
  }
}

/**
 * True if the lock's owner died; a lock without a pid (just created and not yet written,
 * or garbage) is stale only once it is old. Null if the lock vanished meanwhile.
 * @param {string} lockFile
 * @param {number | null} owner
 * @returns {boolean | null}
 */
function isStale(lockFile, owner) {
  if (owner) return !isAlive(owner);
  try {
    return Date.now() - fs.statSync(lockFile).mtimeMs > 10_000;
  } catch {
    return null;
  }
}

/**
 * Runs `fn` holding `lockFile`, waiting up to `timeoutMs` for another holder. A lock whose
 * owner died is taken over.
 * @template T
 * @param {string} lockFile
 * @param {Say} say
 * @param {() => Promise<T> | T} fn
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function withLock(lockFile, say, fn, timeoutMs = 15 * 60_000) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const t0 = Date.now();
  let told = false;
  while (!tryTake(lockFile)) {
    const owner = readPid(lockFile);
    const stale = isStale(lockFile, owner);
    if (stale === null) continue; // vanished: retry at once
    if (stale) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (!told) {
      say(`waiting for another process (pid ${owner ?? '?'}) that holds ${lockFile}`);
      told = true;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for the lock ${lockFile} (held by pid ${owner})`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    if (readPid(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
  }
}
