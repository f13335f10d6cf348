import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  batchMaxTimestamp, checkBatch, decodeRecords, readBatchHeader,
} from '@eddy/protocol';
import {
  BATCH_HEADER_SIZE, BatchLayout, MIN_BATCH_SIZE, batchLastOffsetDelta, encodeBatchFromSection,
  recordsSection,
} from '@eddy/protocol/internal';
import {
  BATCH_ATTRIBUTES_AT,
  BATCH_CRC_AT,
  BATCH_FIRST_TIMESTAMP_AT,
  BATCH_HEADER_BYTES,
  BATCH_LAST_OFFSET_DELTA_AT,
  BATCH_LENGTH_AT,
  BATCH_MAX_TIMESTAMP_AT,
  EngineBatchFramingError,
  MIN_BATCH_BYTES,
  countBatches,
  scanPreambles,
  writeOutputBatch,
} from './batch_output.ts';
import { encodeRecords, type TestRecord } from '../test/records.ts';
import { batchOf, keepRecords, storedBatch as storedBatchOf } from '../test/stored_batches.ts';

/** writeOutputBatch after scanPreambles, as the engine's pass-through does. */
function write(out: Buffer, at: number, input: Buffer, inAt: number, section: Uint8Array): number {
  const maxima = { maxTimestampDelta: NaN, maxOffsetDelta: NaN };
  scanPreambles(section, maxima);
  return writeOutputBatch(out, new DataView(out.buffer, out.byteOffset, out.length), at, input, new DataView(input.buffer, input.byteOffset, input.length), inAt, section, maxima);
}

test('header offsets match @eddy/protocol', () => {
  assert.deepEqual(
    [BATCH_HEADER_BYTES, MIN_BATCH_BYTES, BATCH_LENGTH_AT, BATCH_CRC_AT, BATCH_ATTRIBUTES_AT, BATCH_LAST_OFFSET_DELTA_AT, BATCH_FIRST_TIMESTAMP_AT, BATCH_MAX_TIMESTAMP_AT],
    [BATCH_HEADER_SIZE, MIN_BATCH_SIZE, BatchLayout.batchLength, BatchLayout.crc, BatchLayout.attributes, BatchLayout.lastOffsetDelta, BatchLayout.firstTimestamp, BatchLayout.maxTimestamp],
  );
});

const record = fc.record({
  value: fc.uint8Array({ maxLength: 300 }),
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  timestampDelta: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  offsetDelta: fc.integer({ min: 0, max: 100_000 }),
});

test('scanPreambles finds the largest deltas of any records section', () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 40 }), (recs: TestRecord[]) => {
      const out = { maxTimestampDelta: NaN, maxOffsetDelta: NaN };
      scanPreambles(encodeRecords(recs), out);
      assert.equal(out.maxOffsetDelta, recs.length ? Math.max(...recs.map((r) => r.offsetDelta!)) : -1);
      assert.equal(out.maxTimestampDelta, recs.length ? Math.max(...recs.map((r) => r.timestampDelta!)) : 0);
    }),
  );
});

test('scanPreambles refuses sections that do not frame', () => {
  const good = encodeRecords([{ value: 'abc' }, { value: 'de' }]);
  const out = { maxTimestampDelta: 0, maxOffsetDelta: 0 };
  assert.throws(() => scanPreambles(good.subarray(0, 3), out), /records section is 3 bytes, need at least 4/);
  assert.throws(() => scanPreambles(good.subarray(0, good.length - 1), out), /^EngineBatchFramingError: record 1 of 2 runs past the end of the output$/);
  assert.throws(() => scanPreambles(Uint8Array.from([...good, 0]), out), /records section has 1 bytes after its 2 records/);
  const short = Uint8Array.from([0, 0, 0, 1, 2, 0, 0]); // length 1: too short for a record
  assert.throws(() => scanPreambles(short, out), EngineBatchFramingError);
});

test('writeOutputBatch wraps any kept subset in the input header: valid CRC, offsets and timestamps kept', () => {
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (recs, base, keep) => {
      const dense = recs.map((r, i) => ({ ...r, offsetDelta: i }));
      const first = 1_600_000_000_000;
      const input = encodeBatchFromSection(encodeRecords(dense), dense.length, { baseOffset: base, firstTimestamp: first, compression: 0 });
      const kept = dense.filter((_, i) => keep[i]);
      if (kept.length === 0) return;
      const section = encodeRecords(kept);
      const out = Buffer.alloc(BATCH_HEADER_BYTES + section.length + 3);
      const end = write(out, 3, input, 0, section);
      assert.equal(end, out.length);
      checkBatch(out, 3);
      assert.deepEqual(countBatches(out.subarray(3), out.length - 3), 1);
      const got = decodeRecords(out, 3);
      assert.deepEqual(got.map((r) => r.offset), kept.map((r) => base + r.offsetDelta));
      assert.deepEqual(got.map((r) => r.timestamp), kept.map((r) => first + r.timestampDelta!));
      assert.equal(out.readInt32BE(3 + BatchLayout.lastOffsetDelta), dense.length - 1);
      assert.equal(Number(out.readBigInt64BE(3 + BatchLayout.maxTimestamp)), first + Math.max(0, ...kept.map((r) => r.timestampDelta!)));
    }),
    { numRuns: 60 },
  );
});

test('writeOutputBatch widens last_offset_delta when a module returns a delta beyond the input span', () => {
  const input = encodeBatchFromSection(encodeRecords([{ value: 'a' }]), 1, { baseOffset: 10, firstTimestamp: 0 });
  const section = encodeRecords([{ value: 'a', offsetDelta: 0 }, { value: 'b', offsetDelta: 4 }]);
  const out = Buffer.alloc(BATCH_HEADER_BYTES + section.length);
  write(out, 0, input, 0, section);
  checkBatch(out, 0);
  assert.equal(out.readInt32BE(BatchLayout.lastOffsetDelta), 4);
});

// Against @eddy/protocol's encoder: records with keys, headers and any timestamps, filtered at random.
const storedBatch = storedBatchOf();

test('output batches of several filtered stored batches: records keep offsets, timestamps, keys, values, headers; CRC valid', () => {
  fc.assert(fc.property(fc.array(fc.tuple(storedBatch, fc.func(fc.boolean())), { minLength: 1, maxLength: 4 }), (specs) => {
    const input = Buffer.concat(specs.map(([b]) => batchOf(b)));
    const inDv = new DataView(input.buffer, input.byteOffset, input.length);
    assert.equal(countBatches(input, input.length), specs.length);
    const out = Buffer.alloc(input.length);
    const outDv = new DataView(out.buffer, out.byteOffset, out.length);
    const expected: { pos: number; kept: ReturnType<typeof decodeRecords> }[] = [];
    let o = 0;
    for (let i = 0, pos = 0; i < specs.length; i++) {
      const keep = specs[i][1];
      const kept = decodeRecords(input, pos).filter((_, k) => keep(k));
      if (kept.length > 0) {
        const section = keepRecords(recordsSection(input, pos), (k) => keep(k));
        const maxima = { maxTimestampDelta: NaN, maxOffsetDelta: NaN };
        scanPreambles(section, maxima);
        o = writeOutputBatch(out, outDv, o, input, inDv, pos, section, maxima);
        expected.push({ pos, kept });
      }
      pos += 12 + input.readInt32BE(pos + 8);
    }
    let at = 0;
    for (const e of expected) {
      const size = checkBatch(out, at);
      const h = readBatchHeader(out, at);
      const inH = readBatchHeader(input, e.pos);
      assert.equal(h.baseOffset, inH.baseOffset);
      assert.equal(h.firstTimestamp, inH.firstTimestamp);
      assert.equal(h.compression, 0);
      assert.equal(batchLastOffsetDelta(out, at), inH.lastOffsetDelta);
      const got = decodeRecords(out, at);
      assert.deepEqual(got.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]), e.kept.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]));
      assert.equal(batchMaxTimestamp(out, at), Math.max(inH.firstTimestamp, ...e.kept.map((r) => r.timestamp)));
      at += size;
    }
    assert.equal(at, o);
  }), { numRuns: 150 });
});

test('scanPreambles refuses truncated or padded sections and any junk with EngineBatchFramingError', () => {
  fc.assert(fc.property(storedBatch, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (b, cut, junk) => {
    const section = recordsSection(batchOf(b), 0);
    const out = { maxTimestampDelta: 0, maxOffsetDelta: 0 };
    scanPreambles(section, out);
    assert.equal(out.maxOffsetDelta, b.records.length - 1);
    const truncated = section.subarray(0, 4 + (cut % (section.length - 4)));
    assert.throws(() => scanPreambles(truncated, out), EngineBatchFramingError);
    assert.throws(() => scanPreambles(Buffer.concat([section, junk]), out), EngineBatchFramingError);
  }), { numRuns: 150 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    try { scanPreambles(bytes, { maxTimestampDelta: 0, maxOffsetDelta: 0 }); } catch (err) { assert.ok(err instanceof EngineBatchFramingError, String(err)); }
  }), { numRuns: 300 });
});
