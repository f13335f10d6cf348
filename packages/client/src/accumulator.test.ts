import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Accumulator, BATCH_OVERHEAD_BYTES, recordSize } from './accumulator.ts';

const rec = (n: number) => ({ key: null, value: Buffer.alloc(n) });

test('records batch per partition and a batch closes at the batch size', () => {
  const acc = new Accumulator({ batchSizeBytes: 1000 });
  const a = acc.append(0, rec(400), 412, 0);
  const b = acc.append(0, rec(400), 412, 0);
  const c = acc.append(1, rec(400), 412, 0);
  assert.equal(a.batch, b.batch);
  assert.deepEqual([a.index, b.index, c.index], [0, 1, 0]);
  assert.notEqual(a.batch, c.batch);
  // 61 + 412*2 + 412 > 1000: the third record of partition 0 opens a new batch.
  const d = acc.append(0, rec(400), 412, 0);
  assert.notEqual(d.batch, a.batch);
  assert.equal(d.index, 0);
  assert.ok(a.batch.closed);
  assert.equal(acc.queuedBytes, 3 * BATCH_OVERHEAD_BYTES + 4 * 412);
});

test('drain takes closed batches, and open ones only when their linger is over', () => {
  const acc = new Accumulator({ batchSizeBytes: 1 << 20 });
  acc.append(0, rec(1), 13, 100);
  acc.append(1, rec(1), 13, 150);
  assert.equal(acc.drain(160, 1 << 20, 99).length, 0);
  const first = acc.drain(160, 1 << 20, 120);
  assert.deepEqual(first.map((b) => b.partition), [0]);
  const rest = acc.drain(160, 1 << 20, Infinity);
  assert.deepEqual(rest.map((b) => b.partition), [1]);
  assert.equal(acc.drain(160, 1 << 20, Infinity).length, 0);
});

test('a batch waiting for a retry holds back the later batches of its partition only', () => {
  const acc = new Accumulator({ batchSizeBytes: 100 });
  const b1 = acc.append(0, rec(90), 102, 0).batch; // closes at once (over 100 bytes)
  const b2 = acc.append(0, rec(90), 102, 0).batch;
  const b3 = acc.append(1, rec(90), 102, 0).batch;
  const taken = acc.drain(0, 1 << 20, Infinity);
  assert.deepEqual(taken, [b1, b2, b3]);
  // b1 and b2 failed; b1 must go out again before b2.
  b2.retryAtMs = 50;
  b1.retryAtMs = 50;
  acc.requeue(b2);
  acc.requeue(b1);
  const b4 = acc.append(1, rec(90), 102, 0).batch;
  assert.deepEqual(acc.drain(10, 1 << 20, Infinity), [b4]);
  assert.deepEqual(acc.drain(60, 1 << 20, Infinity), [b1, b2]);
});

test('drain respects the request size limit but always takes one batch', () => {
  const acc = new Accumulator({ batchSizeBytes: 100 });
  for (let p = 0; p < 4; p++) acc.append(p, rec(200), 212, 0);
  const one = acc.drain(0, 10, Infinity);
  assert.equal(one.length, 1);
  const two = acc.drain(0, 600, Infinity);
  assert.equal(two.length, 2);
});

test('property: every appended record is drained exactly once, in order per partition, and bytes balance', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ p: fc.integer({ min: 0, max: 4 }), n: fc.integer({ min: 0, max: 3000 }) }), { maxLength: 200 }),
    fc.integer({ min: 64, max: 8192 }),
    (ops, batchSize) => {
      const acc = new Accumulator({ batchSizeBytes: batchSize });
      const expected = new Map<number, number[]>();
      ops.forEach((op, i) => {
        const r = { key: null, value: Buffer.alloc(op.n), timestamp: i };
        acc.append(op.p, r, recordSize(null, r.value), 0);
        expected.set(op.p, [...(expected.get(op.p) ?? []), i]);
      });
      const got = new Map<number, number[]>();
      for (;;) {
        const bs = acc.drain(0, 10_000, Infinity);
        if (bs.length === 0) break;
        for (const b of bs) {
          assert.equal(b.count, b.records.length);
          assert.ok(b.count > 0);
          // A batch holding more than one record stays near the batch size.
          if (b.count > 1) assert.ok(b.sizeBytes - b.records.at(-1)!.value.length - 12 <= batchSize);
          got.set(b.partition, [...(got.get(b.partition) ?? []), ...b.records.map((r) => r.timestamp!)]);
          acc.release(b);
        }
      }
      assert.deepEqual(got, expected);
      assert.equal(acc.queuedBytes, 0);
    },
  ));
});
