// In-memory copy of the most recently appended bytes of the active segment, so that consumers
// tailing the log are served without touching the disk. It is also where appends are coalesced:
// append() copies its batches here and the writer sends one contiguous range per group to write().
//
// Two slabs (cur, prev), each covering a contiguous file range that starts on a batch boundary.
// Bytes in a slab are never overwritten while anyone may still look at them. When `cur` is full
// the older slab is retired to a SlabPool, which hands it out again once (a) the writer has
// written every byte in it (written()) and (b) no reader holds a view of it (reads take a hold
// with hold() and give it back with the release function they get). A reader that never
// releases only stops that slab from being recycled: the garbage collector takes it as before.
// Recycling matters because every fresh multi-MiB slab is external memory that drives V8 into
// full mark-compacts under a steady produce load.

export interface CacheBuffer {
  readonly buf: Buffer;
  /** File position of buf[0]. */
  filePosition: number;
  /** Offset of the first batch in the buffer. */
  startOffset: number;
  /** Offset after the last batch in the buffer. */
  endOffset: number;
  /** Bytes used. */
  used: number;
  /** Read results holding views of this slab. */
  readers: number;
  /** The cache the slab's current contents belong to (its written() mark says what is on file). */
  owner: TailCache;
}

/** The release function of a read that holds nothing. */
export const NO_HOLD = (): void => {};

/** Retired slabs of one partition, reused by its successive segments' caches. */
export class SlabPool {
  readonly slabBytes: number;
  private readonly maxSpare: number;
  private spare: CacheBuffer[] = [];
  /** Slabs allocated / handed out again (for tests and metrics). */
  readonly stats = { allocated: 0, reused: 0 };

  /** At most `maxSpare` retired slabs wait for reuse (a partition writing steadily needs one). */
  constructor(slabBytes: number, maxSpare = 2) {
    this.slabBytes = slabBytes;
    this.maxSpare = maxSpare;
  }

  /** A free slab (recycled when one is, else new), reset to start at `filePosition`. */
  take(owner: TailCache, filePosition: number, startOffset: number): CacheBuffer {
    const spare = this.spare;
    for (let i = 0; i < spare.length; i++) {
      const s = spare[i];
      if (!reusable(s)) continue;
      spare.splice(i, 1);
      s.owner = owner;
      s.filePosition = filePosition;
      s.startOffset = startOffset;
      s.endOffset = startOffset;
      s.used = 0;
      this.stats.reused++;
      return s;
    }
    this.stats.allocated++;
    return { buf: Buffer.allocUnsafeSlow(this.slabBytes), filePosition, startOffset, endOffset: startOffset, used: 0, readers: 0, owner };
  }

  /** Takes back a slab no cache serves from any more. */
  retire(s: CacheBuffer): void {
    const spare = this.spare;
    spare.push(s);
    if (spare.length > this.maxSpare) {
      // Give up on one still held (most likely never to come back), else on the oldest.
      let drop = spare.findIndex((x) => !reusable(x));
      if (drop < 0) drop = 0;
      spare.splice(drop, 1);
    }
  }
}

function reusable(s: CacheBuffer): boolean {
  return s.readers === 0 && s.owner.writtenTo >= s.filePosition + s.used;
}

export class TailCache {
  private readonly bufferBytes: number;
  private readonly pool: SlabPool;
  private cur: CacheBuffer | null = null;
  private prev: CacheBuffer | null = null;
  /** File position below which everything put here is written (per the writer). */
  writtenTo = 0;

  /** `totalBytes` is split over the two slabs; 0 disables caching. Slabs come from `pool` if given. */
  constructor(totalBytes: number, pool?: SlabPool) {
    this.bufferBytes = Math.floor(totalBytes / 2);
    this.pool = pool && pool.slabBytes === this.bufferBytes ? pool : new SlabPool(this.bufferBytes);
  }

  /**
   * Copies `data` (whole batches at `filePosition`, offsets [firstOffset, endOffset)) into the
   * cache and returns the copy, or null when it does not fit in one slab (then it is not cached).
   */
  put(data: Buffer, filePosition: number, firstOffset: number, endOffset: number): Buffer | null {
    if (data.length > this.bufferBytes || this.bufferBytes === 0) return null;
    let cur = this.cur;
    if (cur === null || cur.filePosition + cur.used !== filePosition || cur.used + data.length > this.bufferBytes) {
      if (cur !== null && cur.used > 0) {
        if (this.prev !== null) this.pool.retire(this.prev);
        this.prev = cur;
        cur = null;
      }
      if (cur === null) cur = this.pool.take(this, filePosition, firstOffset);
      else {
        cur.filePosition = filePosition;
        cur.startOffset = cur.endOffset = firstOffset;
      }
      this.cur = cur;
    }
    data.copy(cur.buf, cur.used);
    const copy = cur.buf.subarray(cur.used, cur.used + data.length);
    cur.used += data.length;
    cur.endOffset = endOffset;
    return copy;
  }

  /** Everything put below file position `end` is now written to the file. */
  written(end: number): void {
    if (end > this.writtenTo) this.writtenTo = end;
  }

  /** The slab holding the batch that contains `offset`, if cached. */
  find(offset: number): CacheBuffer | null {
    const cur = this.cur;
    if (cur !== null && cur.startOffset <= offset && offset < cur.endOffset) return cur;
    const prev = this.prev;
    if (prev !== null && prev.startOffset <= offset && offset < prev.endOffset) return prev;
    return null;
  }

  /** Pins `slab` against reuse until the returned function is called (idempotent). */
  static hold(slab: CacheBuffer): () => void {
    slab.readers++;
    let held = true;
    return () => {
      if (held) {
        held = false;
        slab.readers--;
      }
    };
  }

  /** Drops both slabs (to the pool: they are recycled once written and released). */
  clear(): void {
    if (this.cur !== null) this.pool.retire(this.cur);
    if (this.prev !== null) this.pool.retire(this.prev);
    this.cur = null;
    this.prev = null;
  }
}
