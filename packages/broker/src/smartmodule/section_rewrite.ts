// Records-section plumbing around SmartModule calls. Stored records go to a module as is (the
// engine wraps consumer-side output in batch headers itself); these helpers rewrite record
// preambles (offset and timestamp deltas) where the result must be rebased: look-back input
// gathered from several batches, produce-side output that gets offsets of its own, and the
// batch a stream starts inside of (cut at the stream's start offset).

import { visitRecords } from '@eddy/protocol';
import { rebasedRecordSize, recordTailStart, writeRebasedRecord } from '@eddy/protocol/internal';
import type { Cursor } from '@eddy/protocol/internal';

/** A record to re-emit with new deltas: `section[start, end)` is the whole record (length varint included). */
interface Rebased {
  section: Buffer;
  start: number;
  end: number;
  attributes: number;
  offsetDelta: number;
  timestampDelta: number;
}

/** Writes `records` as one section with their new deltas; key, value and headers are copied as they are. */
function writeRebased(records: readonly Rebased[]): Buffer {
  const cur: Cursor = { pos: 0 };
  const tails = new Int32Array(records.length);
  let size = 4;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const tail = recordTailStart(r.section, r.start, cur);
    tails[i] = tail;
    size += rebasedRecordSize(tail, r.end, r.timestampDelta, r.offsetDelta);
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(records.length, 0);
  let at = 4;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    at = writeRebasedRecord(out, at, r.section, tails[i], r.end, r.attributes, r.timestampDelta, r.offsetDelta);
  }
  return out;
}

/**
 * The section with offset deltas renumbered 0..n-1 (timestamps kept), so produce-side output
 * (filtered, or array_map's several records per input) takes dense, distinct offsets. Returns the
 * input itself when it is already dense. Throws CorruptBatchError on malformed records.
 */
export function densifySection(input: Uint8Array): Buffer {
  const section = asBuffer(input);
  let dense = true;
  const records: Rebased[] = [];
  visitRecords(section, 0, 0, (r) => {
    if (r.offsetDelta !== r.index) dense = false;
    records.push({ section, start: r.start, end: r.end, attributes: r.attributes, offsetDelta: r.index, timestampDelta: r.timestampDelta });
  });
  return dense ? section : writeRebased(records);
}

/** One implementation for the SPU and for clients' local chains. */
export { sectionFrom } from '@eddy/protocol/internal';

/** Records gathered from several stored batches (e.g. for look-back). */
export class SectionBuilder {
  private records: Rebased[] = [];
  private offsets: number[] = [];
  private timestamps: number[] = [];
  private bytes = 0;

  get count(): number { return this.records.length; }
  /** Approximate size of the section so far. */
  get size(): number { return 4 + this.bytes; }

  /** Adds every record of `section` (of a batch at `baseOffset`/`firstTimestamp`) that `keep` accepts. */
  addSection(section: Buffer, baseOffset: number, firstTimestamp: number, keep: (offset: number, timestamp: number) => boolean): void {
    visitRecords(section, baseOffset, firstTimestamp, (r) => {
      if (!keep(r.offset, r.timestamp)) return;
      this.records.push({ section, start: r.start, end: r.end, attributes: r.attributes, offsetDelta: 0, timestampDelta: 0 });
      this.offsets.push(r.offset);
      this.timestamps.push(r.timestamp);
      this.bytes += r.end - r.start + 16;
    });
  }

  /** Keeps only the newest records whose sizes add up to at most `maxBytes`. */
  keepNewest(maxBytes: number): void {
    let size = 4;
    let from = this.records.length;
    while (from > 0) {
      const r = this.records[from - 1];
      const s = r.end - r.start + 16;
      if (size + s > maxBytes) break;
      size += s;
      from--;
    }
    if (from === 0) return;
    this.records.splice(0, from);
    this.offsets.splice(0, from);
    this.timestamps.splice(0, from);
    this.bytes = size - 4;
  }

  /** One section, deltas relative to the first record's offset and timestamp. */
  build(): { records: Buffer; baseOffset: number; baseTimestamp: number } {
    const baseOffset = this.offsets[0] ?? 0;
    const baseTimestamp = this.timestamps[0] ?? 0;
    for (let i = 0; i < this.records.length; i++) {
      this.records[i].offsetDelta = this.offsets[i] - baseOffset;
      this.records[i].timestampDelta = this.timestamps[i] - baseTimestamp;
    }
    return { records: writeRebased(this.records), baseOffset, baseTimestamp };
  }
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
