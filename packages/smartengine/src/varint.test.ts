import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readVarint, skipRecords, varintSize, VarintError, writeVarint } from './varint.ts';
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
  assert.throws(() => readVarint(Uint8Array.of(0x80, 0x80), 0, { pos: 0 }), VarintError);
  assert.throws(() => readVarint(new Uint8Array(11).fill(0xff), 0, { pos: 0 }), VarintError);
});

test('skipRecords finds the end of any records section the test encoder writes', () => {
  const record = fc.record({
    key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
    value: fc.uint8Array({ maxLength: 300 }),
    timestampDelta: fc.integer({ min: -1e6, max: 1e6 }),
  });
  fc.assert(
    fc.property(fc.array(record, { maxLength: 20 }), fc.uint8Array({ maxLength: 8 }), (records, trailer) => {
      const section = encodeRecords(records);
      const buf = new Uint8Array(section.length + trailer.length);
      buf.set(section);
      buf.set(trailer, section.length);
      assert.equal(skipRecords(buf, 4, records.length, buf.length), section.length);
    }),
  );
});

test('skipRecords refuses a section with fewer records than its count', () => {
  const section = encodeRecords([{ value: 'a' }, { value: 'b' }]);
  assert.throws(() => skipRecords(section, 4, 3, section.length), /record 2 of 3/);
  assert.throws(() => skipRecords(section, 4, 2, section.length - 1), /past the end/);
});
