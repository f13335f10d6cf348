import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  readInt64BE,
  readVarint32,
  readVarint64,
  VarintError,
  varint32Size,
  varint64Size,
  writeInt64BE,
  writeVarint32,
  writeVarint64,
} from './varint.ts';

// Independent reference: zigzag LEB128 over BigInt.
function refEncode(v: bigint): Buffer {
  let u = v >= 0n ? v << 1n : (-v << 1n) - 1n;
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

function enc32(v: number): Buffer {
  const b = Buffer.alloc(16, 0xee);
  const end = writeVarint32(b, 3, v);
  return b.subarray(3, end);
}

function enc64(v: number): Buffer {
  const b = Buffer.alloc(16, 0xee);
  const end = writeVarint64(b, 3, v);
  return b.subarray(3, end);
}

test('golden varint bytes', () => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [v, hex] of cases) {
    assert.equal(enc32(v).toString('hex'), hex, `varint32 ${v}`);
    assert.equal(enc64(v).toString('hex'), hex, `varint64 ${v}`);
    assert.equal(varint32Size(v), hex.length / 2);
    assert.equal(readVarint32(Buffer.from(hex, 'hex'), { pos: 0 }), v);
    assert.equal(readVarint64(Buffer.from(hex, 'hex'), { pos: 0 }), v);
  }
  // 2^31 needs the 64-bit path: zigzag 2^32 = 5 bytes.
  assert.equal(enc64(2 ** 31).toString('hex'), '8080808010');
  assert.equal(enc64(Number.MAX_SAFE_INTEGER).toString('hex'), refEncode(BigInt(Number.MAX_SAFE_INTEGER)).toString('hex'));
  assert.equal(enc64(Number.MIN_SAFE_INTEGER).toString('hex'), refEncode(BigInt(Number.MIN_SAFE_INTEGER)).toString('hex'));
});

test('varint32 round trip and matches reference over the int32 range', () => {
  const cur = { pos: 0 };
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat(8), (v, at) => {
      const b = Buffer.alloc(at + 5);
      const end = writeVarint32(b, at, v);
      assert.deepEqual(b.subarray(at, end), refEncode(BigInt(v)));
      assert.equal(end - at, varint32Size(v));
      cur.pos = at;
      assert.equal(readVarint32(b, cur), v);
      assert.equal(cur.pos, end);
    }),
    { numRuns: 2000 },
  );
});

test('varint64 round trip and matches reference over safe integers', () => {
  const cur = { pos: 0 };
  fc.assert(
    fc.property(
      fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 2)),
      (v) => {
        const b = Buffer.alloc(12);
        const end = writeVarint64(b, 1, v);
        assert.deepEqual(b.subarray(1, end), refEncode(BigInt(v)));
        assert.equal(end - 1, varint64Size(v));
        cur.pos = 1;
        assert.equal(readVarint64(b, cur), v);
        assert.equal(cur.pos, end);
      },
    ),
    { numRuns: 3000 },
  );
});

test('readVarint64 reads reference encodings of safe integers and rejects larger ones', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
      const bytes = refEncode(v);
      const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      if (safe) assert.equal(readVarint64(bytes, { pos: 0 }), Number(v));
      else assert.throws(() => readVarint64(bytes, { pos: 0 }), VarintError);
    }),
    { numRuns: 2000 },
  );
});

test('readers reject truncated, overlong and out-of-range varints', () => {
  assert.throws(() => readVarint32(Buffer.from([0x80, 0x80]), { pos: 0 }), VarintError);
  assert.throws(() => readVarint64(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), { pos: 0 }), /past end/);
  assert.throws(() => readVarint32(Buffer.from([]), { pos: 0 }), VarintError);
  // 2^31 does not fit in int32
  assert.throws(() => readVarint32(enc64(2 ** 31), { pos: 0 }), /too long/);
  // +-2^53 are exactly representable but not safe integers
  assert.throws(() => readVarint64(refEncode(-(2n ** 53n)), { pos: 0 }), /safe integer/);
  assert.throws(() => readVarint64(refEncode(2n ** 53n), { pos: 0 }), /safe integer/);
  // 11 bytes
  assert.throws(() => readVarint64(Buffer.from('ffffffffffffffffffff01', 'hex'), { pos: 0 }), /too long/);
  assert.throws(() => writeVarint32(Buffer.alloc(8), 0, 2 ** 31), VarintError);
  assert.throws(() => writeVarint32(Buffer.alloc(8), 0, 1.5), VarintError);
  assert.throws(() => writeVarint64(Buffer.alloc(12), 0, 2 ** 53), VarintError);
  assert.throws(() => writeVarint64(Buffer.alloc(12), 0, NaN), VarintError);
});

test('i64 big-endian helpers agree with Buffer BigInt methods', () => {
  fc.assert(
    fc.property(fc.maxSafeInteger(), (v) => {
      const a = Buffer.alloc(10);
      writeInt64BE(a, 2, v);
      assert.equal(a.readBigInt64BE(2), BigInt(v));
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(v));
      assert.equal(readInt64BE(b, 0), v);
    }),
    { numRuns: 2000 },
  );
  assert.throws(() => writeInt64BE(Buffer.alloc(8), 0, 2 ** 53), RangeError);
});
