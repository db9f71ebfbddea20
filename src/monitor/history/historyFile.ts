import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import {
  decodeHeader,
  decodeMinute,
  decodeSecond,
  encodeHeader,
  encodeMinute,
  encodeSecond,
  HistoryHeader,
  historyFileBytes,
  HistorySample,
  layout,
  MinuteSlot,
  minutesOffset,
  minuteSlotOf,
  removedAtOffset,
  secondAt,
  secondOf,
  secondsOffset,
  secondSlotOf,
  viewOf,
} from './format';

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Not zero-filled first (a ring is 1.3 MB, read on every query): every byte is read, or zeroed past the end. */
function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  buffer.fill(0, done);
  return buffer;
}

/** An open history file for reading: its header, or why it cannot be read (a reader reports, never throws on a bad file). */
export type OpenedHistory = { fd: number; header: HistoryHeader } | { problem: string };

export function openHistory(path: string, mode: 'r' | 'r+' = 'r'): OpenedHistory | undefined {
  let fd: number;
  try {
    fd = openSync(path, mode);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    return { problem: (err as Error).message };
  }
  const header = decodeHeader(readAt(fd, layout.headerBytes, 0), fstatSync(fd).size);
  if ('problem' in header) {
    closeSync(fd);
    return header;
  }
  return { fd, header };
}

/** The seconds ring (one read of 288 kB). */
export function readSecondsRing(fd: number): DataView {
  return viewOf(readAt(fd, layout.secondSlots * layout.secondSlotBytes, secondsOffset));
}

/** The minutes ring (one read of 1.3 MB). */
export function readMinutesRing(fd: number): DataView {
  return viewOf(readAt(fd, layout.minuteSlots * layout.minuteSlotBytes, minutesOffset));
}

/** The newest sample of a seconds ring, if any. */
export function latestSecond(ring: DataView): HistorySample | undefined {
  let newest = -1;
  let newestAt = 0;
  for (let slot = 0; slot < layout.secondSlots; slot++) {
    const at = secondAt(ring, slot);
    if (at > newestAt) [newest, newestAt] = [slot, at];
  }
  return newest < 0 ? undefined : decodeSecond(ring, newest);
}

/**
 * Makes a new, empty history file at `path` (or replaces a bad one): written under a temporary
 * name at its full size and renamed into place, so a reader never sees a half-made file.
 * The rings are holes until written: a short-lived workspace takes little of the disk.
 */
export function createHistory(path: string, header: HistoryHeader): void {
  const temporary = `${path}.new-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, encodeHeader(header), 0, layout.headerBytes, 0);
    ftruncateSync(fd, historyFileBytes);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (err) {
    unlinkSync(temporary);
    throw err;
  }
}

/** The writing end of one history file (the caller holds its lock). */
export class HistoryFileWriter {
  private readonly secondBuffer = Buffer.alloc(layout.secondSlotBytes);
  private readonly minuteBuffer = Buffer.alloc(layout.minuteSlotBytes);
  private readonly secondView = viewOf(this.secondBuffer);
  private readonly minuteView = viewOf(this.minuteBuffer);

  constructor(private readonly fd: number) {}

  writeSecond(sample: HistorySample): void {
    encodeSecond(sample, this.secondView);
    writeSync(this.fd, this.secondBuffer, 0, layout.secondSlotBytes, secondsOffset + secondSlotOf(secondOf(sample.at)) * layout.secondSlotBytes);
  }

  writeMinute(slot: MinuteSlot): void {
    encodeMinute(slot, this.minuteView);
    writeSync(this.fd, this.minuteBuffer, 0, layout.minuteSlotBytes, minutesOffset + minuteSlotOf(slot.minute) * layout.minuteSlotBytes);
  }

  markRemoved(at: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleLE(at, 0);
    writeSync(this.fd, buffer, 0, 8, removedAtOffset);
  }

  latestSecond(): HistorySample | undefined {
    return latestSecond(readSecondsRing(this.fd));
  }

  readMinute(minute: number): MinuteSlot | undefined {
    const slot = decodeMinute(readMinutesRing(this.fd), minuteSlotOf(minute));
    return slot?.minute === minute ? slot : undefined;
  }

  close(): void {
    closeSync(this.fd);
  }
}
