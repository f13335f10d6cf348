import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareMsSub, formatNanosIso, msAt, msOf, nsFromMs, nsOf, parseNanosIso, subAt, subOf, writeMsSub } from './nanos.ts';
import { MessageBatch, readTimestamp, writeTimestamp } from '../abi/message_batch.ts';
import { compareHlc } from './hlc.ts';

// All of u64 ns (up to 2554-07-21, a 4-digit year in ISO strings).
const u64Arb = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const nsArb = u64Arb;

test('ns ↔ bytes ↔ (ms, sub) round-trips exactly over all of u64', () => {
  fc.assert(fc.property(u64Arb, (ns) => {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64LE(ns, 0);
    const ms = msAt(buf, 0);
    const sub = subAt(buf, 0);
    assert.equal(ms, msOf(ns));
    assert.equal(sub, subOf(ns));
    assert.equal(nsOf(ms, sub), ns);
    const back = Buffer.alloc(16);
    writeMsSub(back, 0, ms, sub);
    assert.equal(back.readBigUInt64LE(0), ns);
  }), { numRuns: 2000 });
});

test('ns ↔ ISO string round-trips exactly', () => {
  fc.assert(fc.property(nsArb, (ns) => {
    const iso = formatNanosIso(ns);
    assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.equal(parseNanosIso(iso), ns);
  }), { numRuns: 2000 });
});

test('ordering is preserved by bytes, (ms, sub), ISO strings and HLC timestamps', () => {
  fc.assert(fc.property(nsArb, nsArb, (a, b) => {
    const want = a < b ? -1 : a > b ? 1 : 0;
    const ba = Buffer.alloc(8);
    const bb = Buffer.alloc(8);
    ba.writeBigUInt64LE(a);
    bb.writeBigUInt64LE(b);
    assert.equal(Math.sign(compareMsSub(msAt(ba, 0), subAt(ba, 0), msAt(bb, 0), subAt(bb, 0))), want);
    const ia = formatNanosIso(a);
    const ib = formatNanosIso(b);
    assert.equal(ia < ib ? -1 : ia > ib ? 1 : 0, want);
    const ta = Buffer.alloc(16);
    const tb = Buffer.alloc(16);
    writeTimestamp(ta, 0, { physical: a, counter: 7, node: 1 });
    writeTimestamp(tb, 0, { physical: b, counter: 7, node: 1 });
    assert.equal(Math.sign(compareHlc(readTimestamp(ta, 0), readTimestamp(tb, 0))), want);
  }), { numRuns: 2000 });
});

test('values past 2^53 keep their last nanosecond (a double would not)', () => {
  const ns = 1_717_171_717_123_456_789n; // > 2^53
  assert.notEqual(BigInt(Number(ns)), ns);
  const buf = Buffer.alloc(16);
  writeTimestamp(buf, 0, { physical: ns, counter: 0, node: 0 });
  assert.equal(readTimestamp(buf, 0).physical, ns);
  assert.equal(formatNanosIso(ns), '2024-05-31T16:08:37.123456789Z');
  assert.equal(parseNanosIso('2024-05-31T16:08:37.123456789Z'), ns);
  // fewer digits and zones
  assert.equal(parseNanosIso('2024-05-31T16:08:37.1Z'), 1_717_171_717_100_000_000n);
  assert.equal(parseNanosIso('2024-05-31T18:08:37.000000001+02:00'), 1_717_171_717_000_000_001n);
  for (const bad of ['2024-05-31', '2024-05-31T16:08:37.1234567891Z', '1969-12-31T23:59:59.999999999Z', 'x']) assert.equal(parseNanosIso(bad), undefined, bad);
});

test('(ms, sub) of a time before the epoch floors (a frontier can be)', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), (ns) => {
    const sub = subOf(ns);
    assert.ok(sub >= 0 && sub < 1_000_000);
    assert.equal(nsOf(msOf(ns), sub), ns);
  }));
  assert.deepEqual([msOf(-1n), subOf(-1n)], [-1, 999_999]);
});

test('record ms map to ns × 1e6 exactly and back by floor', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 44 }), fc.integer({ min: 0, max: 999_999 }), (ms, sub) => {
    assert.equal(nsFromMs(ms), BigInt(ms) * 1_000_000n);
    const buf = Buffer.alloc(8);
    writeMsSub(buf, 0, ms, sub);
    assert.equal(msAt(buf, 0), ms); // a sink record's ms: floor(ns / 1e6)
  }));
});

test('a batch reads a message time as exact (ms, sub) and bigint', () => {
  const ns = 1_717_171_717_123_456_789n;
  const batch = MessageBatch.of([{ timestamp: { physical: ns, counter: 0, node: 0 }, payload: Buffer.from('x') }]);
  assert.equal(batch.physical(0), ns);
  assert.equal(batch.physicalMs(0), 1_717_171_717_123);
  assert.equal(batch.physicalSub(0), 456_789);
});
