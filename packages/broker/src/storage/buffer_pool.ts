// Recycled large buffers (request frames, disk reads for consumers). Streaming 1 MiB produce
// requests or 4 MiB fetch responses would otherwise allocate (and have the kernel zero-fill) a
// fresh buffer for each, and that external memory is what drives V8 into back-to-back full GCs
// under load. A buffer goes back only when its owner says nobody looks at it any more; one that
// is never given back is simply left to the garbage collector.

const MIN_CLASS = 64 * 1024;

/** Capacity class of a size: at least 64 KiB, else rounded up to an eighth of its power of two. */
export function classOf(size: number): number {
  if (size <= MIN_CLASS) return MIN_CLASS;
  const step = 2 ** Math.floor(Math.log2(size - 1)) / 8;
  return Math.ceil(size / step) * step;
}

export class BufferPool {
  private readonly maxPooledBytes: number;
  private readonly free = new Map<number, ArrayBuffer[]>();
  private pooledBytes = 0;
  readonly stats = { allocated: 0, reused: 0 };

  /** Keeps at most `maxPooledBytes` of capacity on its free lists. */
  constructor(maxPooledBytes = 32 * 1024 * 1024) {
    this.maxPooledBytes = maxPooledBytes;
  }

  /** A buffer of exactly `size` bytes (a view of a pooled block), contents undefined. */
  take(size: number): Buffer {
    const cap = classOf(size);
    const ab = this.free.get(cap)?.pop();
    if (ab !== undefined) {
      this.pooledBytes -= cap;
      this.stats.reused++;
      return Buffer.from(ab, 0, size);
    }
    this.stats.allocated++;
    return Buffer.from(Buffer.allocUnsafeSlow(cap).buffer, 0, size);
  }

  /** Returns a buffer from take() once nothing looks at it (or any view of it) any more. Once! */
  give(buf: Buffer): void {
    const ab = buf.buffer as ArrayBuffer;
    const cap = ab.byteLength;
    if (buf.byteOffset !== 0 || cap !== classOf(cap) || this.pooledBytes + cap > this.maxPooledBytes) return;
    let list = this.free.get(cap);
    if (list === undefined) this.free.set(cap, (list = []));
    list.push(ab);
    this.pooledBytes += cap;
  }
}
