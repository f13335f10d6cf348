// In-memory copy of the most recently appended bytes of the active segment, so that consumers
// tailing the log are served without touching the disk. It is also where appends are coalesced:
// append() copies its batches here and the writer sends one contiguous range per group to write().
//
// Two buffers, each covering a contiguous file range that starts on a batch boundary. Bytes in a
// buffer are never overwritten once written: when `cur` is full a new buffer is allocated, so
// views handed to readers stay valid for as long as they hold them.

export interface CacheBuffer {
  readonly buf: Buffer;
  /** File position of buf[0]. */
  readonly filePosition: number;
  /** Offset of the first batch in the buffer. */
  readonly startOffset: number;
  /** Offset after the last batch in the buffer. */
  endOffset: number;
  /** Bytes used. */
  used: number;
}

export class TailCache {
  private readonly bufferBytes: number;
  private cur: CacheBuffer | null = null;
  private prev: CacheBuffer | null = null;

  /** `totalBytes` is split over the two buffers; 0 disables caching. */
  constructor(totalBytes: number) {
    this.bufferBytes = Math.floor(totalBytes / 2);
  }

  /**
   * Copies `data` (whole batches at `filePosition`, offsets [firstOffset, endOffset)) into the
   * cache and returns the copy, or null when it does not fit in one buffer (then it is not cached).
   */
  put(data: Buffer, filePosition: number, firstOffset: number, endOffset: number): Buffer | null {
    if (data.length > this.bufferBytes) return null;
    let cur = this.cur;
    if (cur === null || cur.filePosition + cur.used !== filePosition || cur.used + data.length > this.bufferBytes) {
      if (cur !== null && cur.used > 0) this.prev = cur;
      cur = {
        buf: Buffer.allocUnsafeSlow(this.bufferBytes),
        filePosition,
        startOffset: firstOffset,
        endOffset: firstOffset,
        used: 0,
      };
      this.cur = cur;
    }
    data.copy(cur.buf, cur.used);
    const copy = cur.buf.subarray(cur.used, cur.used + data.length);
    cur.used += data.length;
    cur.endOffset = endOffset;
    return copy;
  }

  /** The buffer holding the batch that contains `offset`, if cached. */
  find(offset: number): CacheBuffer | null {
    const cur = this.cur;
    if (cur !== null && cur.startOffset <= offset && offset < cur.endOffset) return cur;
    const prev = this.prev;
    if (prev !== null && prev.startOffset <= offset && offset < prev.endOffset) return prev;
    return null;
  }

  clear(): void {
    this.cur = null;
    this.prev = null;
  }
}
