// @ts-check
// The static busybox the offline base image is made of, and its applet list.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { isExecutable } from './util.mjs';

/**
 * True if `file` is an ELF executable without a PT_INTERP header (statically linked).
 * @param {string} file
 */
export function isStaticElf(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const h = Buffer.alloc(64);
    fs.readSync(fd, h, 0, 64, 0);
    if (h.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = h[4] === 2;
    const le = h[5] === 1;
    /** @type {(b: Buffer, o: number) => number} */
    const u16 = (b, o) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    /** @type {(b: Buffer, o: number) => number} */
    const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? h.readBigUInt64LE(32) : h.readBigUInt64BE(32)) : u32(h, 28);
    const phentsize = u16(h, is64 ? 54 : 42);
    const phnum = u16(h, is64 ? 56 : 44);
    const ph = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (u32(ph, i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** @returns {string | null} a statically linked busybox: $AICLI_BUSYBOX or the usual places */
export function findStaticBusybox() {
  const candidates = [process.env.AICLI_BUSYBOX, '/bin/busybox', '/usr/bin/busybox', '/usr/sbin/busybox'];
  for (const c of candidates) if (c && isExecutable(c) && isStaticElf(c)) return c;
  return null;
}

/** @param {string} text @returns {string[]} its non-empty lines, trimmed */
function lines(text) {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Applet paths relative to / (e.g. `bin/sh`, `usr/bin/env`).
 * @param {string} busybox
 * @returns {string[]}
 */
export function busyboxApplets(busybox) {
  let r = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return lines(r.stdout).map((s) => s.replace(/^\/+/, ''));
  r = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${busybox} --list failed: ${r.stderr}`);
  return lines(r.stdout).map((a) => `bin/${a}`);
}
