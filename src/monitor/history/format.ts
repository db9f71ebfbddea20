/**
 * The layout of one workspace's metrics history file (see history.ts for why a file format of
 * our own): a 256-byte header, a ring of 3,600 one-second slots (the last hour) and a ring of
 * 10,080 one-minute slots (the last 7 days). A slot's place in its ring is its time modulo the
 * ring's length, so writing a sample is one positioned write and finding the last hour is one
 * read; a slot whose own time does not map to its place (never written, torn, garbage) is skipped.
 * Little-endian throughout. Everything here is pure: bytes in, values out.
 */

/** Sampled values, stored as they are. */
export const gauges = ['cpuPercent', 'memoryBytes', 'memoryLimitBytes', 'pids'] as const;
/** Totals since the box started; stored as totals (rates are exact differences of two), shown as rates. */
export const counters = ['netRxBytes', 'netTxBytes', 'netRxPackets', 'netTxPackets', 'blockReadBytes', 'blockWriteBytes'] as const;

export type Gauge = (typeof gauges)[number];
export type Counter = (typeof counters)[number];
export type Rate = `${Counter}PerSecond`;
/** What a series holds: the gauges as sampled and the counters as per-second rates. */
export type SeriesMetric = Gauge | Rate;

export const rateOf = (counter: Counter): Rate => `${counter}PerSecond`;
export const seriesMetrics: readonly SeriesMetric[] = [...gauges, ...counters.map(rateOf)];

/** One second of one workspace as stored: ms since the epoch, then the values; NaN where unknown. */
export type HistorySample = { at: number } & Record<Gauge | Counter, number>;

export const layout = {
  magic: 'AICLIMH1',
  version: 1,
  headerBytes: 256,
  secondSlots: 3600,
  /** at f64, memory f64, memory limit f64, CPU % f32, pids f32, six counters f64. */
  secondSlotBytes: 80,
  minuteSlots: 7 * 24 * 60,
  /** minute u32, samples u32, then min/avg/max f32 of each series metric. */
  minuteSlotBytes: 8 + seriesMetrics.length * 3 * 4,
} as const;

export const secondsOffset = layout.headerBytes;
export const minutesOffset = secondsOffset + layout.secondSlots * layout.secondSlotBytes;
/** Every history file has exactly this size (1,578,496 bytes), from its creation on. */
export const historyFileBytes = minutesOffset + layout.minuteSlots * layout.minuteSlotBytes;

export const secondOf = (at: number): number => Math.floor(at / 1000);
export const minuteOf = (at: number): number => Math.floor(at / 60_000);
export const secondSlotOf = (second: number): number => second % layout.secondSlots;
export const minuteSlotOf = (minute: number): number => minute % layout.minuteSlots;

export interface HistoryHeader {
  workspaceId: string;
  name: string;
  createdAt: number;
  /** When the workspace was removed (its history is the first to go when room is needed). */
  removedAt: number | undefined;
}

const idField = { offset: 48, bytes: 64 };
const nameField = { offset: 112, bytes: 128 };
/** Where removedAt lives, for the one positioned write that marks a removal. */
export const removedAtOffset = 40;

function writeText(buffer: Buffer, field: { offset: number; bytes: number }, text: string): void {
  const encoded = Buffer.from(text, 'utf8').subarray(0, field.bytes - 1);
  buffer.writeUInt8(encoded.length, field.offset);
  encoded.copy(buffer, field.offset + 1);
}

const readText = (buffer: Buffer, field: { offset: number; bytes: number }): string =>
  buffer.toString('utf8', field.offset + 1, field.offset + 1 + Math.min(buffer.readUInt8(field.offset), field.bytes - 1));

export function encodeHeader(header: HistoryHeader): Buffer {
  const buffer = Buffer.alloc(layout.headerBytes);
  buffer.write(layout.magic, 0, 'latin1');
  [layout.version, layout.secondSlots, layout.secondSlotBytes, layout.minuteSlots, layout.minuteSlotBytes].forEach((value, index) =>
    buffer.writeUInt32LE(value, 8 + index * 4),
  );
  buffer.writeDoubleLE(header.createdAt, 32);
  buffer.writeDoubleLE(header.removedAt ?? 0, removedAtOffset);
  writeText(buffer, idField, header.workspaceId);
  writeText(buffer, nameField, header.name);
  return buffer;
}

/** The header, or why the file is not one of ours in this layout. */
export function decodeHeader(buffer: Buffer, fileBytes: number): HistoryHeader | { problem: string } {
  if (buffer.length < layout.headerBytes || buffer.toString('latin1', 0, 8) !== layout.magic) return { problem: 'not a metrics history file' };
  const geometry = [layout.version, layout.secondSlots, layout.secondSlotBytes, layout.minuteSlots, layout.minuteSlotBytes];
  if (geometry.some((value, index) => buffer.readUInt32LE(8 + index * 4) !== value)) return { problem: 'another version of the format' };
  if (fileBytes !== historyFileBytes) return { problem: `truncated or overlong (${fileBytes} bytes, not ${historyFileBytes})` };
  const removedAt = buffer.readDoubleLE(removedAtOffset);
  return {
    workspaceId: readText(buffer, idField),
    name: readText(buffer, nameField),
    createdAt: buffer.readDoubleLE(32),
    removedAt: removedAt > 0 ? removedAt : undefined,
  };
}

/** Every stored value of a second slot, gauges then counters. */
export const storedValues: readonly (Gauge | Counter)[] = [...gauges, ...counters];

/** Where a second slot keeps each value: CPU % and pids fit a float32, bytes need a float64. */
const secondFields: Record<Gauge | Counter, { offset: number; float32: boolean }> = {
  memoryBytes: { offset: 8, float32: false },
  memoryLimitBytes: { offset: 16, float32: false },
  cpuPercent: { offset: 24, float32: true },
  pids: { offset: 28, float32: true },
  ...(Object.fromEntries(counters.map((counter, index) => [counter, { offset: 32 + index * 8, float32: false }])) as Record<
    Counter,
    { offset: number; float32: boolean }
  >),
};

export const viewOf = (buffer: Buffer): DataView => new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);

export function encodeSecond(sample: HistorySample, view: DataView): void {
  view.setFloat64(0, sample.at, true);
  for (const name of storedValues) {
    const field = secondFields[name];
    if (field.float32) view.setFloat32(field.offset, sample[name], true);
    else view.setFloat64(field.offset, sample[name], true);
  }
}

/** The time in a slot of a seconds ring, or NaN when the slot holds no sample (never written, torn, garbage). */
export function secondAt(ring: DataView, slot: number): number {
  const at = ring.getFloat64(slot * layout.secondSlotBytes, true);
  return at > 0 && secondSlotOf(secondOf(at)) === slot ? at : NaN;
}

export function secondValue(ring: DataView, slot: number, name: Gauge | Counter): number {
  const field = secondFields[name];
  const offset = slot * layout.secondSlotBytes + field.offset;
  return field.float32 ? ring.getFloat32(offset, true) : ring.getFloat64(offset, true);
}

export function decodeSecond(ring: DataView, slot: number): HistorySample | undefined {
  const at = secondAt(ring, slot);
  if (Number.isNaN(at)) return undefined;
  const sample = { at } as HistorySample;
  for (const name of storedValues) sample[name] = secondValue(ring, slot, name);
  return sample;
}

/** One minute's min, mean and max of one metric. */
export interface MinuteStats {
  min: number;
  avg: number;
  max: number;
}

/** One minute of one workspace: how many samples, and per series metric (by its index in seriesMetrics) min/avg/max; NaN: none. */
export interface MinuteSlot {
  minute: number;
  samples: number;
  min: ArrayLike<number>;
  avg: ArrayLike<number>;
  max: ArrayLike<number>;
}

export const minuteParts = ['min', 'avg', 'max'] as const;
const minuteValueOffset = (slot: number, metric: number, part: number): number => slot * layout.minuteSlotBytes + 8 + (metric * 3 + part) * 4;

export function encodeMinute(slot: MinuteSlot, view: DataView): void {
  view.setUint32(0, slot.minute, true);
  view.setUint32(4, slot.samples, true);
  for (let metric = 0; metric < seriesMetrics.length; metric++) {
    // A loop, not forEach: one call a sample of every workspace, and its closures were garbage.
    for (let index = 0; index < minuteParts.length; index++) {
      view.setFloat32(minuteValueOffset(0, metric, index), slot[minuteParts[index] as (typeof minuteParts)[number]][metric] as number, true);
    }
  }
}

/** The minute (since the epoch) in a slot of a minutes ring, or 0 when the slot holds none. */
export function minuteAt(ring: DataView, slot: number): number {
  const minute = ring.getUint32(slot * layout.minuteSlotBytes, true);
  return minute > 0 && minuteSlotOf(minute) === slot ? minute : 0;
}

export const minuteSamples = (ring: DataView, slot: number): number => ring.getUint32(slot * layout.minuteSlotBytes + 4, true);

/** part: 0 min, 1 avg, 2 max. */
export const minuteValue = (ring: DataView, slot: number, metric: number, part: number): number => ring.getFloat32(minuteValueOffset(slot, metric, part), true);

export function decodeMinute(ring: DataView, slot: number): MinuteSlot | undefined {
  const minute = minuteAt(ring, slot);
  if (minute === 0) return undefined;
  const [min, avg, max] = [0, 1, 2].map((part) => seriesMetrics.map((_, metric) => minuteValue(ring, slot, metric, part)));
  return { minute, samples: minuteSamples(ring, slot), min: min as number[], avg: avg as number[], max: max as number[] };
}

/** A rate is only taken over gaps this short: across a longer one it would smear a burst over the gap. */
export const maxRateGapMs = 60_000;

/**
 * The per-second rate of a counter between two samples, one function for the writer (minute
 * aggregates) and the query (the 1 s series). NaN when there is no earlier sample, the gap is
 * too long, or the counter went down (the box restarted and its counters began again).
 */
export function rateBetween(previousAt: number, previous: number, at: number, current: number): number {
  const milliseconds = at - previousAt;
  if (!(milliseconds > 0 && milliseconds <= maxRateGapMs)) return NaN;
  const delta = current - previous;
  return delta >= 0 ? (delta * 1000) / milliseconds : NaN;
}
