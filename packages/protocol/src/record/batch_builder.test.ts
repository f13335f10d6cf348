import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateBatches } from './batch.ts';
import { BatchBuilder, headersBytes } from './batch_builder.ts';
import { type CompressionCode } from './compression.ts';
import { decodeRecords, encodeBatch, type RecordInput } from './records.ts';
import { GOLDEN_BATCH_HEX } from '../../test/golden_batch.ts';

function build(records: readonly RecordInput[], timestamp: number, opts: { initialBytes?: number; maxSegmentBytes?: number; compression?: CompressionCode; strings?: boolean } = {}): { parts: Buffer[]; builder: BatchBuilder } {
  const builder = new BatchBuilder({ timestamp, initialBytes: opts.initialBytes, maxSegmentBytes: opts.maxSegmentBytes });
  let expected = builder.size;
  for (const r of records) {
    const key = r.key ?? null;
    const headers = r.headers && r.headers.length > 0 ? r.headers : null;
    const hb = headers === null ? 0 : headersBytes(headers);
    const ts = r.timestamp ?? NaN;
    const bytes = builder.recordBytes(key === null ? -1 : key.length, r.value.length, ts, headers?.length ?? 0, hb);
    // Strings are written as UTF-8 without an intermediate buffer; ASCII keeps the lengths equal.
    const value = opts.strings ? Buffer.from(r.value).toString('latin1') : r.value;
    builder.append(key, key === null ? -1 : key.length, value, r.value.length, ts, headers, hb);
    expected += bytes;
    assert.equal(builder.size, expected, 'recordBytes() is exact');
  }
  const parts = builder.finish({ compression: opts.compression ?? 0 });
  return { parts, builder };
}

test('the golden batch, built record by record', () => {
  const { parts } = build([{ key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: 1000 }, { value: Buffer.from('abc'), timestamp: 1003 }], 0);
  const batch = Buffer.concat(parts);
  batch.writeBigInt64BE(5n, 0); // base offset: outside the CRC
  assert.equal(batch.toString('hex'), GOLDEN_BATCH_HEX);
});

const recordArb = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 30 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 700 }),
  timestamp: fc.option(fc.oneof(fc.integer({ min: 1_600_000_049_900, max: 1_600_000_050_100 }), fc.integer({ min: 1_600_000_000_000, max: 1_600_000_100_000 })), { nil: undefined }),
  headers: fc.option(fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.uint8Array({ maxLength: 20 })), { maxLength: 3 }), { nil: undefined }),
}).map((r) => {
  const out: RecordInput = { key: r.key, value: r.value };
  if (r.timestamp !== undefined) out.timestamp = r.timestamp;
  if (r.headers !== undefined) out.headers = r.headers;
  return out;
});

test('property: byte for byte what encodeBatch makes, over any segment sizes and compressions', () => {
  fc.assert(fc.property(
    fc.array(recordArb, { maxLength: 150 }),
    fc.integer({ min: 1, max: 5000 }),
    fc.integer({ min: 61, max: 3000 }),
    fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const),
    (records, initialBytes, maxSegmentBytes, compression) => {
      const now = 1_600_000_050_000;
      const { parts } = build(records, now, { initialBytes, maxSegmentBytes, compression });
      const batch = Buffer.concat(parts);
      assert.deepEqual(batch, encodeBatch(records, { timestamp: now, compression }));
      assert.equal(validateBatches(batch).count, 1);
      if (compression !== 0) assert.equal(parts.length, 1);
    },
  ), { numRuns: 150 });
});

test('string values are written as UTF-8 in place', () => {
  fc.assert(fc.property(fc.array(fc.string({ maxLength: 200 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 61, max: 600 }), (values, seg) => {
    const b = new BatchBuilder({ timestamp: 7, initialBytes: 64, maxSegmentBytes: seg });
    for (const v of values) {
      const n = Buffer.byteLength(v);
      b.append(null, -1, v, n, NaN, null, 0);
    }
    const batch = Buffer.concat(b.finish());
    assert.deepEqual(decodeRecords(batch, 0).map((r) => r.value.toString('utf8')), values);
  }));
});

test('section() is the uncompressed records section, and an empty batch finishes', () => {
  const records: RecordInput[] = [{ value: Buffer.from('a') }, { key: Buffer.from('k'), value: Buffer.alloc(300, 1) }];
  const { builder } = build(records, 42, { initialBytes: 70, maxSegmentBytes: 100 });
  assert.ok(builder.segments.length > 1);
  const section = builder.section();
  assert.equal(section.readUInt32BE(0), 2);
  assert.equal(section.length, builder.size - 57);
  const empty = new BatchBuilder({ timestamp: 9 });
  const batch = Buffer.concat(empty.finish());
  assert.deepEqual(batch, encodeBatch([], { timestamp: 9 }));
  assert.throws(() => empty.append(null, -1, Buffer.from('x'), 1, NaN, null, 0), /after finish/);
});
