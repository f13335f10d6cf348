import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRecordsSection, visitRecords } from './records.ts';
import { rebasedRecordSize, recordTailStart, writeRebasedRecord } from './record_rebase.ts';
import type { Cursor } from './varint.ts';

const record = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 200 }),
  headers: fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.uint8Array({ maxLength: 5 })), { maxLength: 2 }),
});
// Deltas whose varints are shorter and longer than the originals (1 to 8 bytes).
const delta = fc.oneof(fc.integer({ min: -64, max: 63 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }));

test('rebased records keep attributes, key, value and headers and take the new deltas', () => {
  fc.assert(fc.property(fc.array(fc.tuple(record, delta, delta), { minLength: 1, maxLength: 20 }), (rows) => {
    const section = encodeRecordsSection(rows.map(([r], i) => ({ ...r, timestamp: 5000 + i * 7 })), { firstTimestamp: 5000 });
    const cur: Cursor = { pos: 0 };
    const spans: { tail: number; end: number; attributes: number }[] = [];
    visitRecords(section, 0, 0, (r) => { spans.push({ tail: recordTailStart(section, r.start, cur), end: r.end, attributes: r.attributes }); });
    let size = 4;
    spans.forEach((s, i) => { size += rebasedRecordSize(s.tail, s.end, rows[i][1], rows[i][2]); });
    const out = Buffer.alloc(size);
    out.writeUInt32BE(rows.length, 0);
    let at = 4;
    spans.forEach((s, i) => { at = writeRebasedRecord(out, at, section, s.tail, s.end, s.attributes, rows[i][1], rows[i][2]); });
    assert.equal(at, size, 'rebasedRecordSize predicts the bytes written');
    const got: unknown[] = [];
    visitRecords(out, 0, 0, (r) => {
      got.push([r.attributes, r.timestampDelta, r.offsetDelta, r.key(), r.value(), r.headerCount]);
    });
    const want: unknown[] = [];
    visitRecords(section, 0, 0, (r) => {
      want.push([r.attributes, rows[r.index][1], rows[r.index][2], r.key(), r.value(), r.headerCount]);
    });
    assert.deepEqual(got, want);
    // Everything after the deltas is the original bytes.
    const tails: Buffer[] = [];
    visitRecords(out, 0, 0, (r) => { tails.push(out.subarray(recordTailStart(out, r.start, cur), r.end)); });
    assert.deepEqual(tails, spans.map((s) => section.subarray(s.tail, s.end)));
  }));
});
