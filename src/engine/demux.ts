/**
 * The project's one demultiplexer for the engine's multiplexed streams (non-TTY exec and
 * logs): frames of [stream type, 0, 0, 0, size (uint32 BE)] + payload. Frames may be split
 * anywhere across chunks. TTY streams are raw and must not go through here.
 */
export type StreamKind = 'stdin' | 'stdout' | 'stderr';
const kinds: StreamKind[] = ['stdin', 'stdout', 'stderr'];
const headerSize = 8;

export class FrameDemuxer {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(private readonly onFrame: (kind: StreamKind, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    while (this.bufferedBytes >= headerSize) {
      const header = this.peek(headerSize);
      const size = header.readUInt32BE(4);
      if (this.bufferedBytes < headerSize + size) return;
      const frame = this.take(headerSize + size);
      const kind = kinds[frame[0] ?? 1] ?? 'stdout';
      if (size > 0) this.onFrame(kind, frame.subarray(headerSize));
    }
  }

  /** Bytes held back waiting for the rest of a frame; non-zero at the end means a cut stream. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  private peek(bytes: number): Buffer {
    if ((this.buffered[0]?.length ?? 0) < bytes) this.buffered = [Buffer.concat(this.buffered)];
    return (this.buffered[0] as Buffer).subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    const all = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
    const frame = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.buffered = rest.length ? [rest] : [];
    this.bufferedBytes = rest.length;
    return frame;
  }
}
