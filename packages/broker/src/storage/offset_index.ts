// Sparse offset index of one segment: (u32 relative_offset, u32 file_position) big-endian pairs,
// one per `indexIntervalBytes` of log. Kept in memory (typed arrays, no per-entry objects); the
// file is a copy that recovery can rebuild, so it is written lazily and never fsynced.

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export class OffsetIndex {
  private rels = new Uint32Array(64);
  private positions = new Uint32Array(64);
  private count = 0;
  /** Entries [0, persisted) are in the index file. */
  persisted = 0;

  get length(): number {
    return this.count;
  }

  /** Relative offset of the last entry, -1 when empty. */
  get lastRelativeOffset(): number {
    return this.count === 0 ? -1 : this.rels[this.count - 1];
  }

  /** File position of the last entry, 0 when empty (the segment start). */
  get lastPosition(): number {
    return this.count === 0 ? 0 : this.positions[this.count - 1];
  }

  relativeOffsetAt(i: number): number {
    return this.rels[i];
  }

  positionAt(i: number): number {
    return this.positions[i];
  }

  /**
   * Adds an entry; entries must grow in both fields, anything else is ignored. Position 0 is the
   * implied floor of every segment and never stored.
   */
  append(relativeOffset: number, position: number): void {
    const n = this.count;
    if (position === 0) return;
    if (n > 0 && (relativeOffset <= this.rels[n - 1] || position <= this.positions[n - 1])) return;
    if (n === this.rels.length) {
      const rels = new Uint32Array(n * 2);
      rels.set(this.rels);
      this.rels = rels;
      const positions = new Uint32Array(n * 2);
      positions.set(this.positions);
      this.positions = positions;
    }
    this.rels[n] = relativeOffset;
    this.positions[n] = position;
    this.count = n + 1;
  }

  /** Index of the last entry with relative offset <= `relativeOffset`, or -1. */
  floorIndex(relativeOffset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rels[mid] <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** File position of a batch start at or before the batch holding `relativeOffset` (0 if none indexed). */
  floorPosition(relativeOffset: number): number {
    const i = this.floorIndex(relativeOffset);
    return i < 0 ? 0 : this.positions[i];
  }

  /** Drops entries pointing at or past `end` (a truncated log). Returns how many were dropped. */
  truncateToPosition(end: number): number {
    let n = this.count;
    while (n > 0 && this.positions[n - 1] >= end) n--;
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
    const out = Buffer.allocUnsafe((this.count - from) * OFFSET_INDEX_ENTRY_BYTES);
    for (let i = from, at = 0; i < this.count; i++, at += OFFSET_INDEX_ENTRY_BYTES) {
      out.writeUInt32BE(this.rels[i], at);
      out.writeUInt32BE(this.positions[i], at + 4);
    }
    return out;
  }

  /**
   * Parses an index file for a log of `logSize` bytes. Returns the index, or a one-line reason why
   * the file cannot be trusted (then it gets rebuilt from the log).
   */
  static decode(bytes: Buffer, logSize: number): OffsetIndex | string {
    if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
      return `size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_BYTES}`;
    }
    const index = new OffsetIndex();
    let prevRel = -1;
    let prevPos = 0;
    for (let at = 0; at < bytes.length; at += OFFSET_INDEX_ENTRY_BYTES) {
      const rel = bytes.readUInt32BE(at);
      const pos = bytes.readUInt32BE(at + 4);
      if (rel <= prevRel || pos <= prevPos) return `entry ${at / OFFSET_INDEX_ENTRY_BYTES} (${rel}, ${pos}) does not increase`;
      if (pos >= logSize) return `entry ${at / OFFSET_INDEX_ENTRY_BYTES} points at byte ${pos}, past the log end ${logSize}`;
      index.append(rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    index.persisted = index.count;
    return index;
  }
}
