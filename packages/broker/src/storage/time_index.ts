// Sparse time index of one segment: (i64 max_timestamp_so_far, u32 relative_offset) big-endian.
// An entry (T, r) states that every batch up to and including the batch at relative offset r has
// max_timestamp <= T. Entries are added at offset-index points when T grew, plus a final entry
// for the last batch when the segment is sealed, so a sealed segment's last T is its max.
import { readInt64BE, writeInt64BE } from '@eddy/protocol/internal';

export const TIME_INDEX_ENTRY_BYTES = 12;

export class TimeIndex {
  private timestamps = new Float64Array(32);
  private rels = new Uint32Array(32);
  private count = 0;
  /** Entries [0, persisted) are in the time index file. */
  persisted = 0;

  get length(): number {
    return this.count;
  }

  /** Timestamp of the last entry, -Infinity when empty. */
  get lastTimestamp(): number {
    return this.count === 0 ? -Infinity : this.timestamps[this.count - 1];
  }

  /** Relative offset of the last entry, -1 when empty. */
  get lastRelativeOffset(): number {
    return this.count === 0 ? -1 : this.rels[this.count - 1];
  }

  timestampAt(i: number): number {
    return this.timestamps[i];
  }

  relativeOffsetAt(i: number): number {
    return this.rels[i];
  }

  /** Adds an entry; relative offsets must grow and timestamps must not shrink, else ignored. */
  append(timestamp: number, relativeOffset: number): void {
    const n = this.count;
    if (n > 0 && (relativeOffset <= this.rels[n - 1] || timestamp < this.timestamps[n - 1])) return;
    if (n === this.rels.length) {
      const ts = new Float64Array(n * 2);
      ts.set(this.timestamps);
      this.timestamps = ts;
      const rels = new Uint32Array(n * 2);
      rels.set(this.rels);
      this.rels = rels;
    }
    this.timestamps[n] = timestamp;
    this.rels[n] = relativeOffset;
    this.count = n + 1;
  }

  /**
   * Relative offset of the last entry whose timestamp is < `timestamp`, or -1. Every batch up to
   * that one is older than `timestamp`, so a search may start there.
   */
  lastBelow(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid] < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : this.rels[found];
  }

  /** Drops entries for batches after relative offset `maxRelativeOffset`. Returns how many. */
  truncateAfter(maxRelativeOffset: number): number {
    let n = this.count;
    while (n > 0 && this.rels[n - 1] > maxRelativeOffset) n--;
    const dropped = this.count - n;
    this.count = n;
    if (this.persisted > n) this.persisted = n;
    return dropped;
  }

  clear(): void {
    this.count = 0;
    this.persisted = 0;
  }

  /** Encodes entries [from, length) for the file. */
  encode(from = 0): Buffer {
    const out = Buffer.allocUnsafe((this.count - from) * TIME_INDEX_ENTRY_BYTES);
    for (let i = from, at = 0; i < this.count; i++, at += TIME_INDEX_ENTRY_BYTES) {
      writeInt64BE(out, at, this.timestamps[i]);
      out.writeUInt32BE(this.rels[i], at + 8);
    }
    return out;
  }

  /** Parses a time index file; returns the index or a one-line reason it cannot be trusted. */
  static decode(bytes: Buffer): TimeIndex | string {
    if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0) {
      return `size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_BYTES}`;
    }
    const index = new TimeIndex();
    let prevTs = -Infinity;
    let prevRel = -1;
    for (let at = 0; at < bytes.length; at += TIME_INDEX_ENTRY_BYTES) {
      const ts = readInt64BE(bytes, at);
      const rel = bytes.readUInt32BE(at + 8);
      if (ts < prevTs || rel <= prevRel) return `entry ${at / TIME_INDEX_ENTRY_BYTES} (${ts}, ${rel}) goes backwards`;
      index.append(ts, rel);
      prevTs = ts;
      prevRel = rel;
    }
    index.persisted = index.count;
    return index;
  }
}
