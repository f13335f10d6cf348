import { EddyError } from './eddy_error.ts';
import { ErrorCode } from './error_code.ts';

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameTooLargeError extends EddyError {
  readonly size: number;
  constructor(size: number, max: number) {
    super(ErrorCode.FrameTooLarge, `frame of ${size} bytes exceeds the limit of ${max} bytes`);
    this.size = size;
  }
}

/**
 * Splits a byte stream into `i32 size + body` frames. Bodies are views into the received chunk
 * whenever a frame arrived in one piece (the common case for small and batched frames), and one
 * concatenation otherwise.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  readonly maxFrameBytes: number;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received but not yet returned as a frame. */
  get pending(): number { return this.buffered; }

  /**
   * Feeds a chunk and calls `onFrame` for every complete frame. Throws FrameTooLargeError (or a
   * RangeError for a negative size) as soon as a bad size prefix is seen.
   */
  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    if (this.buffered === 0) {
      // Fast path: parse frames straight out of the chunk.
      let pos = 0;
      while (chunk.length - pos >= 4) {
        const size = this.checkSize(chunk.readInt32BE(pos));
        if (chunk.length - pos - 4 < size) break;
        onFrame(chunk.subarray(pos + 4, pos + 4 + size));
        pos += 4 + size;
      }
      if (pos < chunk.length) { this.chunks.push(chunk.subarray(pos)); this.buffered = chunk.length - pos; }
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const size = this.checkSize(head.readInt32BE(0));
      if (this.buffered - 4 < size) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
      // Re-run over the joined bytes, which also handles any further frames in it.
      this.push(all, onFrame);
      return;
    }
  }

  private checkSize(size: number): number {
    if (size < 0) throw new FrameTooLargeError(size, this.maxFrameBytes);
    if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
    return size;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    return Buffer.concat(this.chunks, this.buffered).subarray(0, n);
  }
}

/** Prefixes parts with their total size, ready for a corked write or writev. */
export function framed(parts: Buffer[]): Buffer[] {
  let n = 0;
  for (const p of parts) n += p.length;
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(n, 0);
  return [size, ...parts];
}
