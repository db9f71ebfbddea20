// @ts-check
// Reading a zip's entries (a VSIX is one) with Node's zlib: its central directory, and one entry's bytes.
import { inflateRawSync } from 'node:zlib';

/**
 * The entries of a zip, from its central directory (a VSIX is a zip).
 * @param {Buffer} buffer
 * @returns {{ name: string, method: number, offset: number, size: number }[]}
 */
export function zipEntries(buffer) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip file');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    entries.push({
      name: buffer.toString('utf8', at + 46, at + 46 + nameLength),
      method: buffer.readUInt16LE(at + 10),
      offset: buffer.readUInt32LE(at + 42),
      size: buffer.readUInt32LE(at + 20),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** One entry's bytes (stored or deflated). @param {Buffer} buffer @param {{ method: number, offset: number, size: number }} entry */
export function zipRead(buffer, entry) {
  const start = entry.offset + 30 + buffer.readUInt16LE(entry.offset + 26) + buffer.readUInt16LE(entry.offset + 28);
  const data = buffer.subarray(start, start + entry.size);
  return entry.method === 8 ? inflateRawSync(data) : data;
}
