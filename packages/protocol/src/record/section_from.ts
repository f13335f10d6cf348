// Cutting a records section at an offset inside its batch: what a stream that starts inside a
// stored batch feeds a SmartModule chain (broker side, and the client's local chains), so the
// records before the start never reach the chain and array_map output (offset delta 0 = the
// batch's base offset) is not before the start.

import { readVarint32, readVarint64, varint32Size, varint64Size, writeVarint32, writeVarint64 } from './varint.ts';
import type { Cursor } from './varint.ts';
import { visitRecords, type RecordView } from './records.ts';

/**
 * The records of `section` (of a batch at `baseOffset`) whose offset is `from` or later, with
 * offset deltas relative to `from` (each keeps its offset, given a batch header rebased to
 * `from`: base offset `from`, last offset delta `baseOffset + lastOffsetDelta - from`); timestamp
 * deltas, keys, values and headers are kept as they are. Two walks over the section, nothing
 * allocated per record. Throws CorruptBatchError on malformed records.
 */
export function sectionFrom(input: Uint8Array, baseOffset: number, from: number): Buffer {
  const section = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const shift = from - baseOffset;
  const cur: Cursor = { pos: 0 };
  /** Start of the record's fields after attributes and the two deltas (leaves `cur` there). */
  const restStart = (start: number): number => {
    cur.pos = start;
    readVarint32(section, cur); // length
    cur.pos++; // attributes
    readVarint64(section, cur); // timestamp delta
    readVarint64(section, cur); // offset delta
    return cur.pos;
  };
  /** Bytes of the record without its length varint, with the new offset delta. */
  const bodyOf = (r: RecordView): number => 1 + varint64Size(r.timestampDelta) + varint64Size(r.offsetDelta - shift) + (r.end - restStart(r.start));
  let count = 0;
  let size = 4;
  visitRecords(section, baseOffset, 0, (r) => {
    if (r.offset < from) return;
    const body = bodyOf(r);
    size += varint32Size(body) + body;
    count++;
  });
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(count, 0);
  let at = 4;
  visitRecords(section, baseOffset, 0, (r) => {
    if (r.offset < from) return;
    at = writeVarint32(out, at, bodyOf(r));
    const rest = cur.pos; // restStart left the cursor after the offset delta
    out[at++] = r.attributes;
    at = writeVarint64(out, at, r.timestampDelta);
    at = writeVarint64(out, at, r.offsetDelta - shift);
    at += section.copy(out, at, rest, r.end);
  });
  return out;
}
