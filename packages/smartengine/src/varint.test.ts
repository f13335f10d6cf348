import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readVarint, varintSize, EngineVarintError, walkRecords, writeVarint } from './varint.ts';
import { encodeRecords } from '../test/records.ts';

test('zigzag varints round-trip and match their size', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (v) => {
      const buf = new Uint8Array(12);
      const end = writeVarint(buf, 1, v);
      assert.equal(end - 1, varintSize(v));
      const out = { pos: 0 };
      assert.equal(readVarint(buf, 1, out), v);
      assert.equal(out.pos, end);
    }),
  );
});

test('zigzag encoding matches the Kafka/Fluvio byte values', () => {
  const enc = (v: number): number[] => {
    const b = new Uint8Array(10);
    return [...b.subarray(0, writeVarint(b, 0, v))];
  };
  assert.deepEqual(enc(0), [0]);
  assert.deepEqual(enc(-1), [1]);
  assert.deepEqual(enc(1), [2]);
  assert.deepEqual(enc(63), [126]);
  assert.deepEqual(enc(64), [0x80, 0x01]);
  assert.deepEqual(enc(-65), [0x81, 0x01]);
});

test('readVarint refuses truncated and overlong input', () => {
  assert.throws(() => readVarint(Uint8Array.of(0x80, 0x80), 0, { pos: 0 }), EngineVarintError);
  assert.throws(() => readVarint(new Uint8Array(11).fill(0xff), 0, { pos: 0 }), EngineVarintError);
});

const anyRecord = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  // up to 20 KB: record lengths of one, two and three varint bytes
  value: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 8000, maxLength: 20_000 })),
  timestampDelta: fc.integer({ min: -1e7, max: 1e7 }),
  offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

test('walkRecords finds the end and the largest deltas of any records section the test encoder writes', () => {
  fc.assert(
    fc.property(fc.array(anyRecord, { maxLength: 12 }), fc.uint8Array({ maxLength: 8 }), (records, trailer) => {
      const section = encodeRecords(records);
      const buf = new Uint8Array(section.length + trailer.length);
      buf.set(section);
      buf.set(trailer, section.length);
      const maxima = { maxTimestampDelta: NaN, maxOffsetDelta: NaN };
      assert.equal(walkRecords(buf, 4, records.length, buf.length, maxima), section.length);
      assert.equal(maxima.maxTimestampDelta, records.length ? Math.max(...records.map((r) => r.timestampDelta)) : 0);
      assert.equal(maxima.maxOffsetDelta, records.length ? Math.max(...records.map((r) => r.offsetDelta)) : -1);
    }),
    { numRuns: 150 },
  );
});

test('walkRecords refuses records that do not frame', () => {
  const maxima = { maxTimestampDelta: 0, maxOffsetDelta: 0 };
  const section = encodeRecords([{ value: 'a' }, { value: 'b' }]);
  assert.throws(() => walkRecords(section, 4, 3, section.length, maxima), /record 2 of 3 is missing/);
  assert.throws(() => walkRecords(section, 4, 2, section.length - 1, maxima), /record 1 of 2 runs past the end/);
  assert.throws(() => walkRecords(Uint8Array.of(0, 0, 0, 1, 3), 4, 1, 5, maxima), /negative length/);
  assert.throws(() => walkRecords(Uint8Array.of(0, 0, 0, 1, 4, 0, 0), 4, 1, 7, maxima), EngineVarintError); // runs past
  assert.throws(() => walkRecords(Uint8Array.of(0, 0, 0, 1, 2, 0), 4, 1, 6, maxima), /too short for a record/);
  // a record of 6 bytes whose timestamp delta varint runs through the rest of it
  assert.throws(() => walkRecords(Uint8Array.of(0, 0, 0, 1, 12, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 2, 0, 0), 4, 1, 14, maxima), /preamble runs past its length/);
});
