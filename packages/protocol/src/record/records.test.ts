import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BATCH_HEADER_SIZE,
  batchCrc,
  batchLastOffsetDelta,
  batchMaxTimestamp,
  CorruptBatchError,
  readBatchHeader,
  recordsSection,
  validateBatches,
  writeBatchCrc,
} from './batch.ts';
import { type CompressionCode } from './compression.ts';
import {
  decodeRecords,
  encodeBatch,
  encodeBatchFromSection,
  encodeRecordsSection,
  type RecordInput,
  RecordCursor,
  RecordView,
  visitRecords,
} from './records.ts';
import { GOLDEN_BATCH_HEX, GOLDEN_RECORD1_OFFSET_DELTA_AT } from '../../test/golden_batch.ts';

const b = (s: string) => Buffer.from(s);

const GOLDEN_RECORDS: RecordInput[] = [
  { key: b('k'), value: b('v1'), timestamp: 1000 },
  { value: b('abc'), timestamp: 1003 },
];

test('encodeBatch produces the hand-computed golden bytes', () => {
  assert.equal(encodeBatch(GOLDEN_RECORDS, { baseOffset: 5 }).toString('hex'), GOLDEN_BATCH_HEX);
  // key: null is the same as no key; plain Uint8Array inputs work like Buffers
  const alt = encodeBatch(
    [
      { key: new Uint8Array([0x6b]), value: new Uint8Array([0x76, 0x31]), timestamp: 1000, headers: [] },
      { key: null, value: new Uint8Array([0x61, 0x62, 0x63]), timestamp: 1003, headers: null },
    ],
    { baseOffset: 5 },
  );
  assert.equal(alt.toString('hex'), GOLDEN_BATCH_HEX);
});

test('decodeRecords on the golden batch', () => {
  const recs = decodeRecords(Buffer.from(GOLDEN_BATCH_HEX, 'hex'), 0);
  assert.deepEqual(recs, [
    { offset: 5, timestamp: 1000, key: b('k'), value: b('v1'), headers: [] },
    { offset: 6, timestamp: 1003, key: null, value: b('abc'), headers: [] },
  ]);
});

test('same CRC as Fluvio for its reference batch (fluvio-protocol test_encode_and_decode_batch_basic)', () => {
  // One record 'test', no key; first/max timestamp 1555478494747; last_offset_delta left at -1.
  const ts = 1555478494747;
  const section = encodeRecordsSection([{ value: b('test'), timestamp: ts }]);
  const batch = encodeBatchFromSection(section, 1, { firstTimestamp: ts, maxTimestamp: ts, lastOffsetDelta: -1 });
  assert.equal(batchCrc(batch, 0), 1430948200);
  assert.equal(section.toString('hex'), '00000001' + '14000000000874657374' + '00');
});

test('empty batch', () => {
  const e = encodeBatch([], { baseOffset: 3 });
  assert.equal(e.length, BATCH_HEADER_SIZE + 4);
  const h = readBatchHeader(e, 0);
  assert.equal(h.lastOffsetDelta, -1);
  assert.equal(h.firstTimestamp, -1);
  assert.equal(h.maxTimestamp, -1);
  assert.deepEqual(validateBatches(e), { count: 1, records: 0 });
  assert.deepEqual(decodeRecords(e, 0), []);
  assert.equal(readBatchHeader(encodeBatch([], { timestamp: 42 }), 0).firstTimestamp, 42);
});

test('timestamps: deltas from the first record, max of all, default for missing ones', () => {
  const recs: RecordInput[] = [
    { value: b('a'), timestamp: 5000 },
    { value: b('b'), timestamp: 4000 }, // negative delta
    { value: b('c'), timestamp: 9000 },
    { value: b('d') }, // takes opts.timestamp
  ];
  const batch = encodeBatch(recs, { timestamp: 7000, producerId: 2 ** 40, producerEpoch: 3, firstSequence: 9, partitionLeaderEpoch: 4 });
  const h = readBatchHeader(batch, 0);
  assert.equal(h.firstTimestamp, 5000);
  assert.equal(h.maxTimestamp, 9000);
  assert.equal(h.producerId, 2 ** 40);
  assert.equal(h.producerEpoch, 3);
  assert.equal(h.firstSequence, 9);
  assert.equal(h.partitionLeaderEpoch, 4);
  assert.deepEqual(decodeRecords(batch, 0).map((r) => r.timestamp), [5000, 4000, 9000, 7000]);
  const before = Date.now();
  const now = decodeRecords(encodeBatch([{ value: b('x') }]), 0)[0].timestamp;
  assert.ok(now >= before && now <= Date.now());
});

test('headers round trip (Kafka header format)', () => {
  const batch = encodeBatch([{ value: b('v'), timestamp: 1, headers: [['trace', b('abc')], ['ü', new Uint8Array(0)]] }]);
  const [r] = decodeRecords(batch, 0);
  assert.deepEqual(r.headers, [['trace', b('abc')], ['ü', b('')]]);
  // record bytes after the value: count 2, key len 5 'trace', value len 3 'abc', key len 2 'ü', value len 0
  assert.ok(batch.toString('hex').endsWith('76' + '04' + '0a' + b('trace').toString('hex') + '06616263' + '04c3bc' + '00'));
});

// ---------------------------------------------------------------------------------------------
// Properties

const recordArb: fc.Arbitrary<RecordInput> = fc.record(
  {
    key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
    value: fc.oneof({ weight: 8, arbitrary: fc.uint8Array({ maxLength: 200 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 5000, maxLength: 70_000 }) }),
    timestamp: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
    headers: fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.uint8Array({ maxLength: 20 })), { maxLength: 3 }),
  },
  { requiredKeys: ['value', 'timestamp'] },
);
const compressionArb = fc.constantFrom<CompressionCode>(0, 1, 2, 3, 4);

function expectRecords(recs: RecordInput[], baseOffset: number) {
  return recs.map((r, i) => ({
    offset: baseOffset + i,
    timestamp: r.timestamp,
    key: r.key == null ? null : Buffer.from(r.key),
    value: Buffer.from(r.value),
    headers: (r.headers ?? []).map(([k, v]) => [k, Buffer.from(v)]),
  }));
}

test('encode -> validate -> decode round trip for arbitrary records and every compression', () => {
  fc.assert(
    fc.property(fc.array(recordArb, { maxLength: 12 }), compressionArb, fc.integer({ min: 0, max: 2 ** 50 }), (recs, compression, baseOffset) => {
      const batch = encodeBatch(recs, { compression, baseOffset });
      assert.deepEqual(validateBatches(batch), { count: 1, records: recs.length });
      assert.deepEqual(decodeRecords(batch, 0), expectRecords(recs, baseOffset));
      if (recs.length > 0) assert.equal(batchMaxTimestamp(batch, 0), Math.max(...recs.map((r) => r.timestamp!)));
      // building from the section gives the very same bytes
      const section = encodeRecordsSection(recs);
      assert.deepEqual(encodeBatchFromSection(section, recs.length, { firstTimestamp: recs[0]?.timestamp ?? -1, compression, baseOffset }), batch);
    }),
    { numRuns: 150 },
  );
});

test('decoded keys and values are views into an uncompressed batch', () => {
  const batch = encodeBatch([{ key: b('key'), value: b('value'), timestamp: 0 }]);
  const [r] = decodeRecords(batch, 0);
  assert.equal(r.value.buffer, batch.buffer);
  assert.equal(r.key!.buffer, batch.buffer);
  assert.equal(batch.subarray(r.value.byteOffset - batch.byteOffset, r.value.byteOffset - batch.byteOffset + 5).toString(), 'value');
});

test('visitRecords reuses one view and stops early', () => {
  const recs = Array.from({ length: 5 }, (_, i) => ({ key: i % 2 ? null : b(`k${i}`), value: b(`v${i}`), timestamp: 100 + i }));
  const batch = encodeBatch(recs, { baseOffset: 10 });
  const section = recordsSection(batch, 0);
  const views = new Set<RecordView>();
  const seen: string[] = [];
  const n = visitRecords(section, 10, 100, (r) => {
    views.add(r);
    seen.push(`${r.index}:${r.offset}:${r.timestamp}:${r.hasKey ? r.key()!.toString() : '-'}:${r.value().toString()}`);
  });
  assert.equal(n, 5);
  assert.equal(views.size, 1);
  assert.deepEqual(seen, ['0:10:100:k0:v0', '1:11:101:-:v1', '2:12:102:k2:v2', '3:13:103:-:v3', '4:14:104:k4:v4']);
  let calls = 0;
  assert.equal(visitRecords(section, 0, 0, () => ++calls < 3), 3);
  // a plain Uint8Array (e.g. a copy out of wasm memory) works too, and views point into it
  const copy = new Uint8Array(section);
  const values: Buffer[] = [];
  visitRecords(copy, 0, 0, (r) => void values.push(r.value()));
  assert.deepEqual(values.map(String), ['v0', 'v1', 'v2', 'v3', 'v4']);
  assert.equal(values[0].buffer, copy.buffer);
});

test('encodeBatchFromSection keeps offset gaps (filtered SmartModule output)', () => {
  // Golden section with record 1's offset_delta changed from 1 to 3 (zigzag 06).
  const g = Buffer.from(GOLDEN_BATCH_HEX, 'hex');
  g[GOLDEN_RECORD1_OFFSET_DELTA_AT] = 0x06;
  const section = g.subarray(BATCH_HEADER_SIZE);
  const batch = encodeBatchFromSection(section, 2, { firstTimestamp: 1000, baseOffset: 20 });
  assert.equal(batchLastOffsetDelta(batch, 0), 3);
  assert.equal(batchMaxTimestamp(batch, 0), 1003);
  assert.deepEqual(validateBatches(batch), { count: 1, records: 2 });
  assert.deepEqual(decodeRecords(batch, 0).map((r) => r.offset), [20, 23]);
  const kept = encodeBatchFromSection(section, 2, { firstTimestamp: 1000, lastOffsetDelta: 9, maxTimestamp: 2000 });
  assert.equal(batchLastOffsetDelta(kept, 0), 9);
  assert.equal(batchMaxTimestamp(kept, 0), 2000);
  assert.throws(() => encodeBatchFromSection(section, 3, { firstTimestamp: 0 }), /holds 2 records, caller said 3/);
  const empty = encodeBatchFromSection(Buffer.from([0, 0, 0, 0]), 0, { firstTimestamp: 50 });
  assert.equal(batchLastOffsetDelta(empty, 0), -1);
  assert.equal(batchMaxTimestamp(empty, 0), 50);
});

function corruptSection(mutate: (s: Buffer) => void): Buffer {
  const g = Buffer.from(GOLDEN_BATCH_HEX, 'hex');
  mutate(g.subarray(BATCH_HEADER_SIZE));
  writeBatchCrc(g, 0);
  return g;
}

test('malformed records give CorruptBatchError with the record and byte', () => {
  const cases: Array<[(s: Buffer) => void, RegExp]> = [
    [(s) => (s[8] = 7), /^record 0 at byte 61: key present flag is 7, expected 0 or 1$/],
    [(s) => (s[4] = 0x16), /^record 0 at byte 61: fields end at byte 72, length says 73$/],
    [(s) => (s[4] = 0x7e), /^record 0 at byte 61: length 63 runs past end of section$/],
    [(s) => (s[11] = 0x7e), /^record 0 at byte 61: value length 63 runs past the record$/],
    [(s) => s.writeUInt32BE(1, 0), /records section has 10 trailing bytes after 1 records at byte 72$/],
    [(s) => s.writeUInt32BE(3, 0), /^record 2 at byte 82: varint runs past end of buffer/],
  ];
  for (const [mutate, re] of cases) {
    const batch = corruptSection(mutate);
    assert.throws(() => decodeRecords(batch, 0), (e: unknown) => e instanceof CorruptBatchError && re.test(e.message) && !e.message.includes('\n'), re.source);
  }
});

test('decoding arbitrary corruptions of a section either succeeds or throws CorruptBatchError', () => {
  const recs: RecordInput[] = [
    { key: b('alpha'), value: b('one'), timestamp: 1, headers: [['h', b('x')]] },
    { value: b(''), timestamp: 2 ** 40 },
    { key: b(''), value: Buffer.alloc(300, 3), timestamp: -5 },
  ];
  const section = encodeRecordsSection(recs);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (edits, cut) => {
      const s = Buffer.from(section);
      for (const [at, v] of edits) s[at % s.length] = v;
      const t = s.subarray(0, s.length - (cut % 4));
      try {
        visitRecords(t, 0, 0, (r) => {
          r.key();
          r.value();
          r.headers();
        });
      } catch (e) {
        assert.ok(e instanceof CorruptBatchError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns: 1000 },
  );
});

test('bad input to encodeBatch is rejected clearly', () => {
  assert.throws(() => encodeBatch([{ value: 'text' as unknown as Uint8Array }]), /record 0: value must be a Uint8Array/);
  assert.throws(() => encodeBatch([{ key: 'k' as unknown as Uint8Array, value: b('v') }]), /record 0: key must be a Uint8Array/);
  assert.throws(() => encodeBatch([{ value: b('v') }], { compression: 9 as CompressionCode }), /unknown compression code 9/);
  assert.throws(() => encodeBatch([{ value: b('v'), timestamp: 1.5 }]), RangeError);
});

test('RecordCursor reads what visitRecords visits, one record per next(), and reports the same errors', () => {
  const records: RecordInput[] = Array.from({ length: 40 }, (_, i) => ({ key: i % 3 ? b(`k${i}`) : null, value: b(`value ${i}`), timestamp: 5000 + i, headers: i % 5 ? null : [['h', b(String(i))]] }));
  const section = encodeRecordsSection(records, { firstTimestamp: 5000 });
  const seen: string[] = [];
  visitRecords(section, 100, 5000, (r) => { seen.push(`${r.offset} ${r.timestamp} ${r.key()?.toString()} ${r.value().toString()} ${r.headers().length}`); });
  const c = new RecordCursor().reset(section, 100, 5000);
  assert.equal(c.count, 40);
  const got: string[] = [];
  while (c.next()) got.push(`${c.offset} ${c.timestamp} ${c.key()?.toString()} ${c.value().toString()} ${c.headers().length}`);
  assert.deepEqual(got, seen);
  assert.equal(c.next(), false);
  // A trailing byte fails after the last record, as visitRecords does.
  const trailing = Buffer.concat([section, Buffer.of(0)]);
  const t = new RecordCursor().reset(trailing, 0, 0);
  for (let i = 0; i < 40; i++) assert.ok(t.next());
  assert.throws(() => t.next(), (e: unknown) => e instanceof CorruptBatchError && /1 trailing bytes after 40 records/.test(e.message));
  assert.throws(() => visitRecords(trailing, 0, 0, () => {}), /1 trailing bytes after 40 records/);
});
