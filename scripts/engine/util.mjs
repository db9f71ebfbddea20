// @ts-check
// Small helpers shared by the engine modules: logging, sleeping, finding programs,
// running a command and reading the tail of its output.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

/** @typedef {(line: string) => void} Log  a sink for whole lines (console.error, a test's logger) */
/** @typedef {(msg: string) => void} Say  a Log that prefixes every line with `[engine] ` */

/** Where a non-login root shell's PATH may lack the programs we need (dockerd, iptables). */
export const SBIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** @param {number} msecs */
export const sleep = (msecs) => new Promise((resolve) => setTimeout(resolve, msecs));

/**
 * Returns a logger that prefixes every line with `[engine] ` (or `[tag] `).
 * @param {Log | undefined} log
 * @param {string} [tag]
 * @returns {Say}
 */
export function prefixer(log, tag = 'engine') {
  const sink = typeof log === 'function' ? log : () => {};
  return (msg) => {
    for (const line of String(msg).split('\n')) sink(`[${tag}] ${line}`);
  };
}

/** @param {number} t0 a Date.now() @returns {string} e.g. `120 ms` */
export function ms(t0) {
  return `${Date.now() - t0} ms`;
}

/** @param {unknown} e @returns {string | undefined} the `code` of a Node system error */
export function errorCode(e) {
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** @param {unknown} e @returns {string} */
export function errorMessage(e) {
  return e instanceof Error ? e.message : String(e);
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** @param {string} p @returns {boolean} true for an executable regular file */
export function isExecutable(p) {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds an executable on PATH (plus the sbin dirs, which a non-login root PATH may lack).
 * @param {string} cmd
 * @param {string[]} [extraDirs]
 * @returns {string | null}
 */
export function which(cmd, extraDirs = SBIN_DIRS) {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  const dirs = [...(process.env.PATH || '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}

/** PATH with the sbin dirs appended (for dockerd, which runs iptables, and apt-get). */
export function pathWithSbin() {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const d of SBIN_DIRS) if (!dirs.includes(d)) dirs.push(d);
  return dirs.join(path.delimiter);
}

/** @param {string} text @param {number} [lines] @returns {string} the last `lines` lines */
export function tail(text, lines = 25) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** @param {string} file a dockerd log @param {number} [lines] @returns {string} its last lines */
export function tailOfFile(file, lines = 30) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    // grpc reconnect chatter buries the real error
    return text
      .trimEnd()
      .split('\n')
      .filter((l) => !l.includes('module=grpc'))
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Runs `cmd` to its end and resolves its exit code and its output (stdout and stderr
 * interleaved, the last 100-200 kB). Never rejects: a command that cannot run gives code -1.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [opts]
 * @returns {Promise<{ code: number, signal?: NodeJS.Signals | null, out: string }>}
 */
export function runCapture(cmd, args, { env = process.env, timeoutMs = 15 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    /** @param {Buffer} c */
    const add = (c) => {
      out += c.toString('utf8');
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}\n${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, out });
    });
  });
}
