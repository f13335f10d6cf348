import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BATCH_HEADER_SIZE, BatchLayout, checkBatch, writeBatchCrc } from './batch.ts';
import { batchRecordsProblem } from './batch_validator.ts';
import { type CompressionCode, compress, decompress } from './compression.ts';
import { RecordCursor, decodeRecords, encodeBatch, type RecordInput } from './records.ts';
import { writeInt64BE } from './varint.ts';

const b = (s: string) => Buffer.from(s);
const three: RecordInput[] = [
  { key: b('k0'), value: b('v0'), timestamp: 1000 },
  { value: b('v1'), timestamp: 1001, headers: [['h', b('x')]] },
  { key: b('k2'), value: b('value-2'), timestamp: 1002 },
];

/** Rebuilds a compressed batch around a (modified) decompressed section, CRC recomputed. */
function withSection(batch: Buffer, section: Buffer): Buffer {
  const code = (batch[22] & 7) as CompressionCode;
  const packed = compress(code, section);
  const out = Buffer.alloc(BATCH_HEADER_SIZE + packed.length);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  packed.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - 12, BatchLayout.batchLength);
  writeBatchCrc(out, 0);
  return out;
}

test('valid batches of every codec pass', () => {
  for (const compression of [0, 1, 2, 3, 4] as CompressionCode[]) {
    assert.equal(batchRecordsProblem(encodeBatch(three, { compression, baseOffset: 7 }), 0), null, `codec ${compression}`);
  }
  // Records without a timestamp (NO_TIMESTAMP everywhere) are fine.
  assert.equal(batchRecordsProblem(encodeBatch([{ value: b('a'), timestamp: -1 }]), 0), null);
  // A batch at a later position in a buffer.
  const two = Buffer.concat([encodeBatch(three), encodeBatch(three)]);
  assert.equal(batchRecordsProblem(two, encodeBatch(three).length), null);
});

test('a valid CRC over a garbage records section is refused', () => {
  const batch = encodeBatch(three);
  for (let i = BATCH_HEADER_SIZE + 4; i < batch.length; i++) batch[i] = 0xff;
  writeBatchCrc(batch, 0);
  assert.doesNotThrow(() => checkBatch(batch, 0)); // the framing alone accepts it
  assert.match(batchRecordsProblem(batch, 0) ?? '', /^record 0 at byte 61: /);
});

test('last_offset_delta two billion for three records is refused', () => {
  const batch = encodeBatch(three);
  batch.writeInt32BE(2_000_000_000, BatchLayout.lastOffsetDelta);
  writeBatchCrc(batch, 0);
  assert.equal(batchRecordsProblem(batch, 0), 'record count 3 does not match last_offset_delta 2000000000 (expected 2000000001 records)');
  // Also when compressed (the count is inside the compressed section).
  const z = encodeBatch(three, { compression: 4 });
  z.writeInt32BE(2_000_000_000, BatchLayout.lastOffsetDelta);
  writeBatchCrc(z, 0);
  assert.match(batchRecordsProblem(z, 0) ?? '', /record count 3 does not match last_offset_delta 2000000000/);
});

test('offset deltas must run 0..n-1', () => {
  const batch = encodeBatch(three);
  // Record 1's offset_delta sits after its length, attributes and timestamp delta (1 byte each).
  const r1 = BATCH_HEADER_SIZE + 4 + 1 + batch[BATCH_HEADER_SIZE + 4] / 2;
  assert.equal(batch[r1 + 3], 2); // zigzag(1)
  batch[r1 + 3] = 4; // zigzag(2)
  writeBatchCrc(batch, 0);
  assert.equal(batchRecordsProblem(batch, 0), 'record 1 has offset_delta 2, expected 1');
});

test('timestamps: below -1 or above max_timestamp are refused', () => {
  const batch = encodeBatch(three);
  writeInt64BE(batch, BatchLayout.maxTimestamp, 1001);
  writeBatchCrc(batch, 0);
  assert.equal(batchRecordsProblem(batch, 0), "record 2 has timestamp 1002, above the batch's max_timestamp 1001");
  const early = encodeBatch(three);
  writeInt64BE(early, BatchLayout.firstTimestamp, -5);
  writeBatchCrc(early, 0);
  assert.equal(batchRecordsProblem(early, 0), 'first_timestamp -5 is below -1');
  const delta = encodeBatch([{ value: b('a'), timestamp: 10 }, { value: b('b'), timestamp: 10 }]);
  // Record 1's timestamp delta (zigzag 0) becomes -12: 10 - 12 = -2.
  const r1 = BATCH_HEADER_SIZE + 4 + 1 + delta[BATCH_HEADER_SIZE + 4] / 2;
  delta[r1 + 2] = 23;
  writeBatchCrc(delta, 0);
  assert.equal(batchRecordsProblem(delta, 0), 'record 1 has timestamp -2, below -1');
});

test('compressed sections must decompress to exactly the records', () => {
  const z = encodeBatch(three, { compression: 1 });
  const section = decompress(1, z.subarray(BATCH_HEADER_SIZE));
  assert.match(batchRecordsProblem(withSection(z, Buffer.concat([section, Buffer.from([0])])), 0) ?? '', /1 trailing bytes after 3 records/);
  const cut = Buffer.from(z.subarray(0, z.length - 3));
  cut.writeInt32BE(cut.length - 12, BatchLayout.batchLength);
  writeBatchCrc(cut, 0);
  assert.match(batchRecordsProblem(cut, 0) ?? '', /^records section does not decompress: gzip decompression failed/);
  assert.match(batchRecordsProblem(z, 0, { maxSectionBytes: 10 }) ?? '', /does not decompress/);
  const empty = Buffer.alloc(0);
  assert.match(batchRecordsProblem(withSection(z, empty), 0) ?? '', /records section at byte 0 is 0 bytes/);
});

test('an empty batch and a bad CRC are refused; the validator never throws on bad framing', () => {
  const none = encodeBatch([]);
  assert.match(batchRecordsProblem(none, 0) ?? '', /at least one record/);
  const crc = encodeBatch(three);
  crc[BatchLayout.crc] ^= 1; // the stored CRC, not the bytes it covers
  assert.match(batchRecordsProblem(crc, 0) ?? '', /fails its CRC-32C/);
  assert.match(batchRecordsProblem(crc.subarray(0, 30), 0) ?? '', /truncated/);
  // With checkFraming false the caller vouches for the CRC.
  assert.equal(batchRecordsProblem(crc, 0, { checkFraming: false }), null);
});

// ---- property: a batch the validator accepts is always decodable by a consumer -----------------

const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 12 }),
  timestamp: fc.integer({ min: -1, max: 2_000_000 }),
  headers: fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.uint8Array({ maxLength: 3 })), { maxLength: 2 }),
});

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'field'; field: 'lastOffsetDelta' | 'firstTimestamp' | 'maxTimestamp'; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      field: fc.constantFrom('lastOffsetDelta' as const, 'firstTimestamp' as const, 'maxTimestamp' as const),
      value: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.integer({ min: -2_000_000_000, max: 2_000_000_000 })),
    }),
  },
);

/** Applies mutations to the (decompressed) records section and header, then reseals the batch. */
function corrupt(batch: Buffer, mutations: Mutation[]): Buffer {
  const code = (batch[22] & 7) as CompressionCode;
  let section = Buffer.from(code === 0 ? batch.subarray(BATCH_HEADER_SIZE) : decompress(code, batch.subarray(BATCH_HEADER_SIZE)));
  const header = Buffer.from(batch.subarray(0, BATCH_HEADER_SIZE));
  for (const m of mutations) {
    if (m.kind === 'field') {
      if (m.field === 'lastOffsetDelta') header.writeInt32BE(m.value, BatchLayout.lastOffsetDelta);
      else writeInt64BE(header, BatchLayout[m.field], m.value);
    } else if (section.length > 0) {
      const at = m.at % (section.length + (m.kind === 'insert' ? 1 : 0));
      if (m.kind === 'set') section[at] = m.value;
      else if (m.kind === 'cut') section = section.subarray(0, at);
      else section = Buffer.concat([section.subarray(0, at), m.bytes, section.subarray(at)]);
    }
  }
  const packed = code === 0 ? section : compress(code, section);
  const out = Buffer.concat([header, packed]);
  out.writeInt32BE(out.length - 12, BatchLayout.batchLength);
  writeBatchCrc(out, 0);
  return out;
}

test('property: random corruptions (CRC recomputed) are either refused or fully decodable', () => {
  const cursor = new RecordCursor();
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      fc.array(recordArb, { minLength: 1, maxLength: 5 }),
      fc.constantFrom<CompressionCode>(0, 0, 0, 1, 2, 3, 4),
      fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      fc.nat({ max: 1_000_000 }),
      (records, compression, mutations, baseOffset) => {
        const valid = encodeBatch(records, { compression, baseOffset });
        assert.equal(batchRecordsProblem(valid, 0), null);
        const bad = corrupt(valid, mutations);
        const problem = batchRecordsProblem(bad, 0);
        if (problem !== null) {
          refused++;
          assert.equal(problem.includes('\n'), false);
          return;
        }
        accepted++;
        // What a consumer does: frame check, then decode every record.
        checkBatch(bad, 0);
        const lod = bad.readInt32BE(BatchLayout.lastOffsetDelta);
        const decoded = decodeRecords(bad, 0);
        assert.equal(decoded.length, lod + 1);
        decoded.forEach((r, i) => assert.equal(r.offset, baseOffset + i));
        const maxTs = Number(bad.readBigInt64BE(BatchLayout.maxTimestamp));
        for (const r of decoded) {
          assert.ok(r.timestamp >= -1);
          if (maxTs !== -1) assert.ok(r.timestamp <= maxTs);
          r.headers; // headers decode without throwing
        }
        const code = (bad[22] & 7) as CompressionCode;
        const section = code === 0 ? bad.subarray(BATCH_HEADER_SIZE) : decompress(code, bad.subarray(BATCH_HEADER_SIZE));
        cursor.reset(section, baseOffset, 0);
        let n = 0;
        while (cursor.next()) { cursor.headers(); n++; }
        assert.equal(n, lod + 1);
      },
    ),
    { numRuns: 3000 },
  );
  // Both outcomes occur, so the property tests something either way.
  assert.ok(refused > 100, `refused ${refused}`);
  assert.ok(accepted > 10, `accepted ${accepted}`);
});
