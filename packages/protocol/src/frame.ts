import { EddyError } from './eddy_error.ts';
import { ErrorCode } from './error_code.ts';

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Frames up to this size get their whole buffer as soon as the size prefix is read. Larger ones
 * (rare) are collected chunk by chunk and joined once complete, so that a peer cannot make us
 * reserve a huge buffer by sending four bytes.
 */
export const DEFAULT_PREALLOCATE_MAX_BYTES = 16 * 1024 * 1024;

export class FrameTooLargeError extends EddyError {
  readonly size: number;
  constructor(size: number, max: number) {
    super(ErrorCode.FrameTooLarge, `frame of ${size} bytes exceeds the limit of ${max} bytes`);
    this.size = size;
  }
}

/** A frame cut short: the body size its prefix declared and the bytes of it received. */
export interface PartialFrame {
  declared: number;
  body: Buffer;
}

/**
 * Splits a byte stream into `i32 size + body` frames.
 *
 * Ownership: a body is either a view into the chunk it arrived in (a frame whole inside one
 * chunk) or a buffer of its own, allocated once from the size prefix and filled as chunks
 * arrive (no join at the end). Either way the decoder keeps no reference to a body it has
 * returned and never writes to it again, so callers may hold bodies (or views of them) for as
 * long as they like, provided the chunks given to push() are not reused by their producer
 * (socket 'data' chunks are not).
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  private readonly preallocateMaxBytes: number;
  /** Size prefix split over chunks: its bytes so far. */
  private readonly head = Buffer.alloc(4);
  private headFilled = 0;
  /** The frame being filled: its preallocated body, or null. */
  private body: Buffer | null = null;
  private filled = 0;
  /** A frame too large to preallocate: its chunks so far (body stays null). */
  private parts: Buffer[] | null = null;
  private partsWanted = 0;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, preallocateMaxBytes = DEFAULT_PREALLOCATE_MAX_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
    this.preallocateMaxBytes = preallocateMaxBytes;
  }

  /** Bytes received but not yet returned as a frame. */
  get pending(): number {
    if (this.body !== null || this.parts !== null) return 4 + this.filled;
    return this.headFilled;
  }

  /**
   * The frame being received, if its size prefix is complete: the size it declared and the body
   * bytes at hand. Null between frames or inside a prefix. For the error reply to a frame that
   * never completes (truncated or too slow).
   */
  partialFrame(): PartialFrame | null {
    if (this.body !== null) return { declared: this.body.length, body: this.body.subarray(0, this.filled) };
    if (this.parts !== null) return { declared: this.partsWanted, body: Buffer.concat(this.parts, this.filled) };
    return null;
  }

  /**
   * Feeds a chunk and calls `onFrame` for every complete frame. Throws FrameTooLargeError as soon
   * as a bad (too large or negative) size prefix is seen.
   */
  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    const len = chunk.length;
    let pos = 0;
    if (this.body !== null || this.parts !== null) {
      pos = this.fill(chunk, onFrame);
      if (pos < 0) return;
    } else if (this.headFilled > 0) {
      const n = Math.min(4 - this.headFilled, len);
      chunk.copy(this.head, this.headFilled, 0, n);
      this.headFilled += n;
      pos = n;
      if (this.headFilled < 4) return;
      this.headFilled = 0;
      const size = this.checkSize(this.head.readInt32BE(0));
      if (len - pos < size) {
        this.begin(size, chunk, pos);
        return;
      }
      onFrame(chunk.subarray(pos, pos + size));
      pos += size;
    }
    // Whole frames straight out of the chunk.
    while (len - pos >= 4) {
      const size = this.checkSize(chunk.readInt32BE(pos));
      if (len - pos - 4 < size) {
        this.begin(size, chunk, pos + 4);
        return;
      }
      onFrame(chunk.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    if (pos < len) {
      chunk.copy(this.head, 0, pos, len);
      this.headFilled = len - pos;
    }
  }

  /** Starts a frame of `size` bytes whose first bytes are chunk[from..]. */
  private begin(size: number, chunk: Buffer, from: number): void {
    const have = chunk.length - from;
    this.filled = have;
    if (size <= this.preallocateMaxBytes) {
      const body = Buffer.allocUnsafe(size);
      chunk.copy(body, 0, from);
      this.body = body;
    } else {
      this.parts = have > 0 ? [chunk.subarray(from)] : [];
      this.partsWanted = size;
    }
  }

  /**
   * Adds the head of `chunk` to the frame being filled. Returns where the rest of the chunk
   * starts once the frame is complete (and emitted), or -1 when the chunk was used up.
   */
  private fill(chunk: Buffer, onFrame: (body: Buffer) => void): number {
    const body = this.body;
    const wanted = body !== null ? body.length : this.partsWanted;
    const n = Math.min(wanted - this.filled, chunk.length);
    if (body !== null) chunk.copy(body, this.filled, 0, n);
    else this.parts!.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    this.filled += n;
    if (this.filled < wanted) return -1;
    const frame = body ?? Buffer.concat(this.parts!, wanted);
    this.body = null;
    this.parts = null;
    this.filled = 0;
    onFrame(frame);
    return n < chunk.length ? n : -1;
  }

  private checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
    return size;
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
