import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BATCH_HEADER_SIZE,
  BatchLayout,
  batchAttributes,
  batchBaseOffset,
  batchCompression,
  batchCrc,
  batchFirstTimestamp,
  batchHeaderRecordCount,
  batchLastOffset,
  batchLastOffsetDelta,
  batchMaxTimestamp,
  batchNextOffset,
  batchOffsetCount,
  batchPartitionLeaderEpoch,
  batchPositions,
  batchProducerId,
  batchRecordCount,
  batchTotalSize,
  computeBatchCrc,
  CorruptBatchError,
  type CorruptBatchKind,
  forEachBatch,
  readBatchHeader,
  recordsSection,
  scanValidPrefix,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
  validateBatches,
  writeBatchCrc,
  checkBatch,
} from './batch.ts';
import { type CompressionCode } from './compression.ts';
import { encodeBatch, encodeBatchFromSection, encodeRecordsSection, type RecordInput } from './records.ts';
import { GOLDEN_BATCH_HEX, GOLDEN_CRC } from '../../test/golden_batch.ts';

const golden = () => Buffer.from(GOLDEN_BATCH_HEX, 'hex');

function refCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function throwsKind(fn: () => unknown, kind: CorruptBatchKind, position?: number) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CorruptBatchError, `expected CorruptBatchError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (position !== undefined) assert.equal(e.position, position);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

test('layout offsets', () => {
  assert.deepEqual(BatchLayout, {
    baseOffset: 0, batchLength: 8, partitionLeaderEpoch: 12, magic: 16, crc: 17, attributes: 21,
    lastOffsetDelta: 23, firstTimestamp: 27, maxTimestamp: 35, producerId: 43, producerEpoch: 51,
    firstSequence: 53, records: 57,
  });
  assert.equal(BATCH_HEADER_SIZE, 57);
});

test('golden batch: header fields and accessors', () => {
  const b = golden();
  assert.equal(b.length, 82);
  assert.equal(refCrc32c(b.subarray(21)), GOLDEN_CRC);
  assert.deepEqual(readBatchHeader(b, 0), {
    baseOffset: 5,
    batchLength: 70,
    partitionLeaderEpoch: -1,
    magic: 2,
    crc: GOLDEN_CRC,
    attributes: 0,
    compression: 0,
    lastOffsetDelta: 1,
    firstTimestamp: 1000,
    maxTimestamp: 1003,
    producerId: -1,
    producerEpoch: -1,
    firstSequence: -1,
  });
  assert.equal(batchBaseOffset(b, 0), 5);
  assert.equal(batchTotalSize(b, 0), 82);
  assert.equal(batchPartitionLeaderEpoch(b, 0), -1);
  assert.equal(batchCrc(b, 0), GOLDEN_CRC);
  assert.equal(computeBatchCrc(b, 0), GOLDEN_CRC);
  assert.equal(batchAttributes(b, 0), 0);
  assert.equal(batchCompression(b, 0), 0);
  assert.equal(batchLastOffsetDelta(b, 0), 1);
  assert.equal(batchLastOffset(b, 0), 6);
  assert.equal(batchNextOffset(b, 0), 7);
  assert.equal(batchFirstTimestamp(b, 0), 1000);
  assert.equal(batchMaxTimestamp(b, 0), 1003);
  assert.equal(batchProducerId(b, 0), -1);
  assert.equal(batchRecordCount(b, 0), 2);
  assert.equal(batchOffsetCount(b, 0), 2);
  assert.deepEqual(validateBatches(b), { count: 1, records: 2 });
  assert.equal(scanValidPrefix(b), 82);
});

test('batchHeaderRecordCount: the count field when uncompressed, last_offset_delta + 1 when compressed', () => {
  const b = Buffer.concat([Buffer.alloc(13, 0xaa), golden()]);
  assert.equal(batchHeaderRecordCount(b, 13), 2);
  const values = ['a', 'b', 'c'].map((v) => ({ value: Buffer.from(v) }));
  assert.equal(batchHeaderRecordCount(encodeBatch(values, { compression: 1, timestamp: 0 }), 0), 3);
  // A filtered batch: 2 records spanning 5 offsets. Uncompressed reads the count; compressed
  // cannot see it without decompressing, so it reports the offsets spanned.
  const section = encodeRecordsSection(values.slice(0, 2), { timestamp: 0 });
  const meta = { firstTimestamp: 0, maxTimestamp: 0, lastOffsetDelta: 4 };
  assert.equal(batchHeaderRecordCount(encodeBatchFromSection(section, 2, meta), 0), 2);
  assert.equal(batchHeaderRecordCount(encodeBatchFromSection(section, 2, { ...meta, compression: 1 }), 0), 5);
});

test('accessors work at a non-zero position', () => {
  const b = Buffer.concat([Buffer.alloc(13, 0xaa), golden()]);
  assert.equal(batchBaseOffset(b, 13), 5);
  assert.equal(batchMaxTimestamp(b, 13), 1003);
  assert.equal(batchRecordCount(b, 13), 2);
  assert.equal(readBatchHeader(b, 13).crc, GOLDEN_CRC);
  assert.equal(computeBatchCrc(b, 13), GOLDEN_CRC);
});

test('setBatchBaseOffset and leader epoch rewrite in place and keep the CRC valid', () => {
  const b = golden();
  for (const off of [0, 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, -1]) {
    setBatchBaseOffset(b, 0, off);
    assert.equal(batchBaseOffset(b, 0), off);
    assert.equal(b.readBigInt64BE(0), BigInt(off));
  }
  setBatchPartitionLeaderEpoch(b, 0, 7);
  assert.equal(batchPartitionLeaderEpoch(b, 0), 7);
  assert.deepEqual(validateBatches(b), { count: 1, records: 2 });
  assert.throws(() => setBatchBaseOffset(b, 0, 2 ** 53), RangeError);
});

test('validateBatches names each problem and its byte position', () => {
  const g = golden();
  const two = Buffer.concat([g, g]);
  throwsKind(() => validateBatches(two.subarray(0, 90)), 'truncated', 82);
  throwsKind(() => validateBatches(two.subarray(0, 150)), 'truncated', 82);

  let b = golden();
  b.writeInt32BE(10, 8);
  throwsKind(() => validateBatches(b), 'length', 0);

  throwsKind(() => validateBatches(golden(), { maxBatchBytes: 81 }), 'too-large', 0);
  assert.deepEqual(validateBatches(golden(), { maxBatchBytes: 82 }), { count: 1, records: 2 });

  b = Buffer.concat([g, g]);
  b[82 + 16] = 1;
  throwsKind(() => validateBatches(b), 'magic', 82);

  b = golden();
  b[60] ^= 0x40;
  throwsKind(() => validateBatches(b), 'crc', 0);
  assert.match((() => { try { validateBatches(b); } catch (e) { return (e as Error).message; } return ''; })(), /^batch at byte 0 fails its CRC-32C: stored 0xb45f7042, computed 0x[0-9a-f]{8}$/);
  // A reader that skips the CRC takes a batch whose record bytes were damaged; framing is still checked.
  const damaged = golden();
  damaged[80] ^= 0x01;
  throwsKind(() => checkBatch(damaged, 0), 'crc', 0);
  assert.equal(checkBatch(damaged, 0, undefined, false), 82);
  const torn = damaged.subarray(0, 70);
  throwsKind(() => checkBatch(torn, 0, undefined, false), 'truncated', 0);

  // Re-sealed batches with bad fields get past the CRC and fail the field check.
  b = golden();
  b[22] = 5; // compression code 5
  writeBatchCrc(b, 0);
  throwsKind(() => validateBatches(b), 'compression', 0);

  b = golden();
  b.writeInt32BE(0, 23); // 2 records but last_offset_delta 0
  writeBatchCrc(b, 0);
  throwsKind(() => validateBatches(b), 'count', 0);

  b = golden();
  b.writeUInt32BE(1000, 57); // claims 1000 records in 21 bytes
  b.writeInt32BE(5000, 23);
  writeBatchCrc(b, 0);
  throwsKind(() => validateBatches(b), 'count', 0);

  assert.deepEqual(validateBatches(Buffer.alloc(0)), { count: 0, records: 0 });
});

// ---------------------------------------------------------------------------------------------
// Properties over batches made by encodeBatch

const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 60 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});
const batchArb = fc.record({
  records: fc.array(recordArb, { maxLength: 6 }),
  compression: fc.constantFrom<CompressionCode>(0, 1, 2, 3, 4),
  baseOffset: fc.integer({ min: 0, max: 2 ** 40 }),
});
const makeBatch = (x: { records: RecordInput[]; compression: CompressionCode; baseOffset: number }) =>
  encodeBatch(x.records, { compression: x.compression, baseOffset: x.baseOffset, timestamp: 77 });

test('validateBatches rejects any single-byte corruption of the CRC-covered region or magic', () => {
  fc.assert(
    fc.property(batchArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (x, at, flip) => {
      const b = makeBatch(x);
      const covered = b.length - BatchLayout.attributes + 1; // + magic
      const i = at % covered;
      const pos = i === covered - 1 ? BatchLayout.magic : BatchLayout.attributes + i;
      b[pos] ^= flip;
      throwsKind(() => validateBatches(b), pos === BatchLayout.magic ? 'magic' : 'crc', 0);
      assert.equal(scanValidPrefix(b), 0);
    }),
    { numRuns: 400 },
  );
});

test('scanValidPrefix on any truncation returns the end of the last whole batch', () => {
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 4 }), fc.nat(), (xs, cut) => {
      const batches = xs.map(makeBatch);
      const all = Buffer.concat(batches);
      const ends: number[] = [];
      let e = 0;
      for (const b of batches) ends.push((e += b.length));
      const n = cut % (all.length + 1);
      const expected = ends.filter((x) => x <= n).at(-1) ?? 0;
      assert.equal(scanValidPrefix(all.subarray(0, n)), expected);
      const whole = ends.filter((x) => x <= n).length;
      if (n === expected) {
        assert.equal(validateBatches(all.subarray(0, n)).count, whole);
      } else {
        throwsKind(() => validateBatches(all.subarray(0, n)), 'truncated', expected);
      }
    }),
    { numRuns: 300 },
  );
});

test('validateBatches and iteration over concatenated batches', () => {
  fc.assert(
    fc.property(fc.array(batchArb, { maxLength: 5 }), (xs) => {
      const batches = xs.map(makeBatch);
      const all = Buffer.concat(batches);
      const starts: number[] = [];
      let p = 0;
      for (const b of batches) {
        starts.push(p);
        p += b.length;
      }
      const res = validateBatches(all);
      assert.equal(res.count, batches.length);
      assert.equal(res.records, xs.reduce((n, x) => n + x.records.length, 0));
      const seen: Array<[number, number]> = [];
      assert.equal(forEachBatch(all, (pos, size) => void seen.push([pos, size])), batches.length);
      assert.deepEqual(seen, batches.map((b, i) => [starts[i], b.length]));
      assert.deepEqual([...batchPositions(all)], starts);
      for (let i = 0; i < batches.length; i++) {
        assert.equal(batchRecordCount(all, starts[i]), xs[i].records.length);
        assert.equal(batchBaseOffset(all, starts[i]), xs[i].baseOffset);
        assert.equal(batchCompression(all, starts[i]), xs[i].compression);
        assert.equal(batchLastOffsetDelta(all, starts[i]), xs[i].records.length - 1);
      }
    }),
    { numRuns: 200 },
  );
});

test('forEachBatch stops early and rejects broken framing', () => {
  const all = Buffer.concat([golden(), golden(), golden()]);
  let calls = 0;
  assert.equal(forEachBatch(all, () => ++calls < 2), 2);
  assert.equal(calls, 2);
  throwsKind(() => forEachBatch(all.subarray(0, 100), () => {}), 'truncated', 82);
  throwsKind(() => [...batchPositions(all.subarray(0, 170))], 'truncated', 164);
});

test('recordsSection is a view for uncompressed batches and the decompressed section otherwise', () => {
  const recs: RecordInput[] = [{ value: Buffer.from('x'.repeat(500)), timestamp: 5 }, { key: Buffer.from('k'), value: Buffer.alloc(0), timestamp: 9 }];
  const expected = encodeRecordsSection(recs);
  const plain = Buffer.concat([Buffer.alloc(3), encodeBatch(recs)]);
  const view = recordsSection(plain, 3);
  assert.equal(view.buffer, plain.buffer);
  assert.equal(view.byteOffset, plain.byteOffset + 3 + BATCH_HEADER_SIZE);
  assert.deepEqual(view, expected);
  for (const code of [1, 2, 3, 4] as const) {
    const b = encodeBatch(recs, { compression: code });
    assert.ok(b.length < plain.length, `codec ${code} shrinks the batch`);
    assert.deepEqual(recordsSection(b, 0), expected);
    throwsKind(() => recordsSection(b, 0, { maxOutputLength: 10 }), 'compression', 0);
  }
  throwsKind(() => recordsSection(golden().subarray(0, 50), 0), 'truncated', 0);
  throwsKind(() => recordsSection(golden().subarray(0, 70), 0), 'truncated', 0);
});
