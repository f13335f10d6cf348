// Cutting a records section at an offset inside its batch: what a stream that starts inside a
// stored batch feeds a SmartModule chain (broker side, and the client's local chains), so the
// records before the start never reach the chain and array_map output (offset delta 0 = the
// batch's base offset) is not before the start.

import type { Cursor } from './varint.ts';
import { visitRecords } from './records.ts';
import { rebasedRecordSize, recordTailStart, writeRebasedRecord } from './record_rebase.ts';

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
  let count = 0;
  let size = 4;
  visitRecords(section, baseOffset, 0, (r) => {
    if (r.offset < from) return;
    size += rebasedRecordSize(recordTailStart(section, r.start, cur), r.end, r.timestampDelta, r.offsetDelta - shift);
    count++;
  });
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(count, 0);
  let at = 4;
  visitRecords(section, baseOffset, 0, (r) => {
    if (r.offset < from) return;
    at = writeRebasedRecord(out, at, section, recordTailStart(section, r.start, cur), r.end, r.attributes, r.timestampDelta, r.offsetDelta - shift);
  });
  return out;
}
