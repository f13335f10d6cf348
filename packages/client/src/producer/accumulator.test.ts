import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EddyError, ErrorCode, decodeRecords, validateBatches } from '@eddy/protocol';
import { Accumulator, BATCH_OVERHEAD_BYTES, type ProducerBatch } from './accumulator.ts';

/** Appends a keyless record of `n` bytes (value bytes all `fill`) at `ts` (NaN: the batch's). */
const add = (acc: Accumulator, p: number, n: number, ts = NaN, fill = 0): ProducerBatch => acc.append(p, null, -1, Buffer.alloc(n, fill), n, ts, null, 0);

/** Encoded size of a keyless record of 400 bytes at index < 64 with timestamp delta 0. */
const R400 = 2 + 1 + 1 + 1 + 1 + 2 + 400 + 1;

test('records batch per partition and a batch closes at the batch size', () => {
  const acc = new Accumulator({ batchSizeBytes: 1000 });
  const a = add(acc, 0, 400);
  assert.equal(a.count, 1);
  const b = add(acc, 0, 400);
  const c = add(acc, 1, 400);
  assert.equal(a, b);
  assert.deepEqual([b.count, c.count], [2, 1]);
  assert.notEqual(a, c);
  // 61 + 409*2 + 409 > 1000: the third record of partition 0 opens a new batch.
  const d = add(acc, 0, 400);
  assert.notEqual(d, a);
  assert.equal(d.count, 1);
  assert.ok(a.closed);
  assert.equal(acc.queuedBytes, 3 * BATCH_OVERHEAD_BYTES + 4 * R400);
  assert.equal(a.sizeBytes, BATCH_OVERHEAD_BYTES + 2 * R400);
});

test('drain takes closed batches, and open ones only when their linger is over', () => {
  let now = 100;
  const acc = new Accumulator({ batchSizeBytes: 1 << 20, clock: () => now });
  add(acc, 0, 1);
  now = 150;
  add(acc, 1, 1);
  assert.equal(acc.drain(160, 1 << 20, 99).length, 0);
  const first = acc.drain(160, 1 << 20, 120);
  assert.deepEqual(first.map((b) => b.partition), [0]);
  const rest = acc.drain(160, 1 << 20, Infinity);
  assert.deepEqual(rest.map((b) => b.partition), [1]);
  assert.equal(acc.drain(160, 1 << 20, Infinity).length, 0);
});

test('a batch waiting for a retry holds back the later batches of its partition only', () => {
  const acc = new Accumulator({ batchSizeBytes: 100 });
  const b1 = add(acc, 0, 90); // closes at once (over 100 bytes)
  const b2 = add(acc, 0, 90);
  const b3 = add(acc, 1, 90);
  const taken = acc.drain(0, 1 << 20, Infinity);
  assert.deepEqual(taken, [b1, b2, b3]);
  // b1 and b2 failed; b1 must go out again before b2.
  b2.retryAtMs = 50;
  b1.retryAtMs = 50;
  acc.requeue(b2);
  acc.requeue(b1);
  const b4 = add(acc, 1, 90);
  assert.deepEqual(acc.drain(10, 1 << 20, Infinity), [b4]);
  assert.deepEqual(acc.drain(60, 1 << 20, Infinity), [b1, b2]);
});

test('drain respects the request size limit but always takes one batch', () => {
  const acc = new Accumulator({ batchSizeBytes: 100 });
  for (let p = 0; p < 4; p++) add(acc, p, 200);
  const one = acc.drain(0, 10, Infinity);
  assert.equal(one.length, 1);
  const two = acc.drain(0, 600, Infinity);
  assert.equal(two.length, 2);
});

test('a record that cannot fit the max batch size is refused and leaves nothing behind', () => {
  const acc = new Accumulator({ batchSizeBytes: 500, maxBatchBytes: 500, limitName: "topic 't' max record size" });
  add(acc, 0, 100);
  const before = acc.queuedBytes;
  assert.throws(() => add(acc, 0, 500), (e: unknown) => e instanceof EddyError && e.code === ErrorCode.RecordTooLarge && /topic 't' max record size of 500/.test(e.message));
  assert.equal(acc.queuedBytes, before);
  // The largest record that fits goes alone into a batch of exactly the limit.
  const big = add(acc, 0, 500 - BATCH_OVERHEAD_BYTES - 9);
  assert.equal(big.sizeBytes, 500);
  assert.equal(acc.drain(0, 1 << 20, Infinity).length, 2);
});

test('large buffers are full-size and recycled once their batch is acknowledged, not before', () => {
  const acc = new Accumulator({ batchSizeBytes: 65536 });
  const fill = (v: number): ProducerBatch => {
    for (let i = 0; i < 3; i++) add(acc, 0, 12_000, NaN, v);
    const [b] = acc.drain(0, 1 << 20, Infinity);
    return b;
  };
  fill(1); // sized from a small hint; the batches after it start at the full size
  const b2 = fill(2);
  assert.equal(b2.allocated[0].length, 65536);
  const wire2 = Buffer.concat(b2.builder.finish());
  acc.release(b2, false); // a failed batch keeps its buffers
  const b3 = fill(3);
  assert.ok(!b3.allocated.some((x) => b2.allocated.includes(x)));
  const first3 = b3.allocated[0];
  acc.release(b3, true);
  assert.equal(b3.allocated.length, 0);
  const b4 = fill(4);
  assert.equal(b4.allocated[0], first3, 'b4 reuses the buffer b3 gave back');
  assert.deepEqual(Buffer.concat(b2.builder.finish()), wire2);
  const records = decodeRecords(Buffer.concat(b4.builder.finish()), 0);
  assert.equal(records.length, 3);
  for (const r of records) assert.ok(r.value.every((x) => x === 4));
});

test('property: every appended record is drained exactly once, in order per partition, and bytes balance', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ p: fc.integer({ min: 0, max: 4 }), n: fc.integer({ min: 0, max: 3000 }) }), { maxLength: 200 }),
    fc.integer({ min: 64, max: 8192 }),
    (ops, batchSize) => {
      const acc = new Accumulator({ batchSizeBytes: batchSize });
      const expected = new Map<number, number[]>();
      ops.forEach((op, i) => {
        add(acc, op.p, op.n, 1000 + i);
        expected.set(op.p, [...(expected.get(op.p) ?? []), i]);
      });
      const got = new Map<number, number[]>();
      for (;;) {
        const bs = acc.drain(0, 10_000, Infinity);
        if (bs.length === 0) break;
        for (const b of bs) {
          assert.ok(b.count > 0);
          const wire = Buffer.concat(b.builder.finish());
          assert.equal(wire.length, b.sizeBytes);
          assert.equal(validateBatches(wire).records, b.count);
          // A batch holding more than one record stays within the batch size.
          if (b.count > 1) assert.ok(b.sizeBytes <= batchSize);
          got.set(b.partition, [...(got.get(b.partition) ?? []), ...decodeRecords(wire, 0).map((r) => r.timestamp - 1000)]);
          acc.release(b, true);
        }
      }
      assert.deepEqual(got, expected);
      assert.equal(acc.queuedBytes, 0);
    },
  ));
});
