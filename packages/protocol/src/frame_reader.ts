// FrameReader: `i32 size + body` framing for a socket read with a caller-supplied buffer (net's
// `onread`), so that receiving allocates nothing per read:
//
// - Between frames the socket reads into one reused scratch buffer. Frames that end inside it are
//   copied out (small: the copy is cheap and the scratch is reused at once).
// - A frame that does not fit in the scratch gets a body buffer of its own, sized from its
//   prefix (from `allocate`, e.g. a pool), and the socket then reads straight into that body's
//   unfilled part: the bytes cross from kernel to their final buffer in one copy.
//
// Ownership: every body handed to onFrame belongs to the callee; the reader never touches it
// again (bodies from `allocate` may go back to their pool once the callee is done with them).
import { DEFAULT_MAX_FRAME_BYTES, FrameTooLargeError } from './frame.ts';
import type { PartialFrame } from './frame.ts';

export const DEFAULT_SCRATCH_BYTES = 64 * 1024;

export interface FrameReaderOptions {
  maxFrameBytes?: number;
  /** Size of the reused read buffer between frames (default 64 KiB). */
  scratchBytes?: number;
  /** Supplies the body of a frame larger than the scratch (default Buffer.allocUnsafe). */
  allocate?: (size: number) => Buffer;
  /**
   * The reused read buffer itself (overrides scratchBytes), e.g. from a pool so that connections
   * that come and go reuse buffers rather than each allocating its own. The caller may take it
   * back (see `scratch`) once nothing reads into it any more.
   */
  scratch?: Buffer;
}

/** What onFrame learns about a body besides its bytes. */
export const FrameOrigin = {
  /** Copied out of the scratch buffer (allocated with Buffer.allocUnsafe). */
  copied: 0,
  /** Read straight into a buffer from `allocate`. */
  allocated: 1,
} as const;
export type FrameOrigin = (typeof FrameOrigin)[keyof typeof FrameOrigin];

export class FrameReader {
  readonly maxFrameBytes: number;
  /** The reused read buffer between frames (given in the options or allocated here). */
  readonly scratch: Buffer;
  private readonly allocate: (size: number) => Buffer;
  /** Unparsed bytes in the scratch: [start, end). */
  private start = 0;
  private end = 0;
  /** The large frame being read straight into its body, or null. */
  private body: Buffer | null = null;
  private filled = 0;
  /** When a bad size prefix was read: the bytes after it that are at hand (for an error reply). */
  afterBadPrefix: Buffer | null = null;

  constructor(opts: FrameReaderOptions = {}) {
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.scratch = opts.scratch ?? Buffer.allocUnsafe(opts.scratchBytes ?? DEFAULT_SCRATCH_BYTES);
    if (this.scratch.length < 4) throw new RangeError(`the scratch buffer needs at least 4 bytes (a size prefix), got ${this.scratch.length}`);
    this.allocate = opts.allocate ?? Buffer.allocUnsafe;
  }

  /** Bytes received but not yet returned as a frame. */
  get pending(): number {
    return this.body !== null ? 4 + this.filled : this.end - this.start;
  }

  /**
   * The frame being received, if its size prefix is complete: the size it declared and a view of
   * the body bytes at hand (valid until the next read). Null between frames or inside a prefix.
   * For the error reply to a frame that never completes (truncated or too slow).
   */
  partialFrame(): PartialFrame | null {
    if (this.body !== null) return { declared: this.body.length, body: this.body.subarray(0, this.filled) };
    if (this.end - this.start < 4) return null;
    return { declared: this.scratch.readInt32BE(this.start), body: this.scratch.subarray(this.start + 4, this.end) };
  }

  /** Where the next read should put its bytes (a view; valid until the next bytesRead). */
  readBuffer(): Buffer {
    if (this.body !== null) return this.body.subarray(this.filled);
    return this.scratch.subarray(this.end);
  }

  /**
   * `n` bytes were read into the buffer last returned by readBuffer(): calls onFrame for every
   * frame completed. Throws FrameTooLargeError on a bad size prefix (then afterBadPrefix holds
   * what followed it in the scratch).
   */
  bytesRead(n: number, onFrame: (body: Buffer, origin: FrameOrigin) => void): void {
    if (this.body !== null) {
      this.filled += n;
      if (this.filled < this.body.length) return;
      const body = this.body;
      this.body = null;
      this.filled = 0;
      onFrame(body, FrameOrigin.allocated);
      return;
    }
    this.end += n;
    const s = this.scratch;
    let pos = this.start;
    const end = this.end;
    while (end - pos >= 4) {
      const size = s.readInt32BE(pos);
      if (size < 0 || size > this.maxFrameBytes) {
        this.afterBadPrefix = Buffer.from(s.subarray(pos + 4, end));
        throw new FrameTooLargeError(size, this.maxFrameBytes);
      }
      const have = end - pos - 4;
      if (have >= size) {
        const body = Buffer.allocUnsafe(size);
        s.copy(body, 0, pos + 4, pos + 4 + size);
        pos += 4 + size;
        this.start = pos;
        onFrame(body, FrameOrigin.copied);
        continue;
      }
      if (4 + size > s.length) {
        // Too large for the scratch: its own body from here on, read into directly.
        const body = this.allocate(size).subarray(0, size);
        s.copy(body, 0, pos + 4, end);
        this.body = body;
        this.filled = have;
        this.start = this.end = 0;
        return;
      }
      break;
    }
    // A partial header or small frame: keep it, moved to the front if it cannot end in place.
    if (pos === end) {
      this.start = this.end = 0;
      return;
    }
    this.start = pos;
    const needed = end - pos >= 4 ? 4 + s.readInt32BE(pos) : 4;
    if (pos + needed > s.length) {
      s.copy(s, 0, pos, end);
      this.start = 0;
      this.end = end - pos;
    }
  }
}
