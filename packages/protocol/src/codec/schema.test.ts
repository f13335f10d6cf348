import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { struct, array, option, string, bytes, i16, i32, i64, bool, stringMap, encode, decode } from './schema.ts';
import { DecodeError } from './decode_error.ts';

const Sample = struct({ a: i16, b: option(string), c: array(i32), d: bytes, e: i64, f: bool, g: stringMap });

test('golden bytes: big-endian ints, u16 strings, u32 vectors, option flag byte', () => {
  const buf = encode(Sample, { a: -2, b: 'hi', c: [1], d: Buffer.from([9, 8]), e: 2 ** 40 + 5, f: true, g: { k: 'v' } }).toBuffer();
  assert.equal(buf.toString('hex'),
    'fffe' + '01' + '0002' + '6869' + '00000001' + '00000001' + '00000002' + '0908' +
    '0000010000000005' + '01' + '0001' + '0001' + '6b' + '0001' + '76');
});

test('round trip of arbitrary values', () => {
  fc.assert(fc.property(
    fc.record({
      a: fc.integer({ min: -32768, max: 32767 }),
      b: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
      c: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 }),
      d: fc.uint8Array({ maxLength: 9000 }).map((u) => Buffer.from(u)),
      e: fc.maxSafeInteger().filter((x) => x >= -(2 ** 53) + 1),
      f: fc.boolean(),
      g: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 5 }),
    }),
    (v) => {
      const out = decode(Sample, encode(Sample, v).toBuffer());
      assert.deepEqual({ ...out, d: Buffer.from(out.d), g: { ...out.g } }, { ...v, g: { ...v.g } });
    },
  ));
});

test('any truncation of a valid encoding is rejected with DecodeError, never another error', () => {
  const full = encode(Sample, { a: 1, b: 'x', c: [1, 2, 3], d: Buffer.alloc(10, 7), e: -5, f: false, g: { a: 'b' } }).toBuffer();
  for (let n = 0; n < full.length; n++) {
    assert.throws(() => decode(Sample, full.subarray(0, n)), DecodeError);
  }
});

test('random bytes decode or fail with DecodeError only', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (u) => {
    try { decode(Sample, Buffer.from(u)); } catch (e) { assert.ok(e instanceof DecodeError, String(e)); }
  }));
});

test('encoding a struct with a missing required field names the field', () => {
  assert.throws(() => encode(Sample, { a: 1 } as any), /missing field 'c'/);
});
