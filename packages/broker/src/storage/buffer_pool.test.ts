import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { BufferPool, classOf } from './buffer_pool.ts';
import { PartitionLog } from './partition_log.ts';
import { makeBatch, splitBatches } from '../../test/support/test_batches.ts';

test('size classes cover the size, waste at most an eighth, and are stable', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1 << 28 }), (size) => {
    const c = classOf(size);
    assert.ok(c >= size);
    assert.ok(c <= Math.max(64 * 1024, size * 1.125 + 1), `${size} -> ${c}`);
    assert.equal(classOf(c), c);
  }));
});

test('given-back buffers are handed out again for sizes of their class; the cap holds', () => {
  const pool = new BufferPool(3 * 1024 * 1024);
  const a = pool.take(1_048_700);
  assert.equal(a.length, 1_048_700);
  pool.give(a);
  const b = pool.take(1_050_000); // same class
  assert.equal(b.buffer, a.buffer);
  assert.deepEqual(pool.stats, { allocated: 1, reused: 1 });
  const c = pool.take(1_050_000);
  const d = pool.take(1_050_000);
  pool.give(b);
  pool.give(c);
  pool.give(d); // over the 3 MiB cap: dropped
  const again = [pool.take(1_050_000), pool.take(1_050_000), pool.take(1_050_000)];
  assert.deepEqual(pool.stats, { allocated: 4, reused: 3 });
  assert.equal(new Set(again.map((x) => x.buffer)).size, 3);
  pool.give(Buffer.alloc(100)); // not from a pool: ignored
  assert.equal(pool.take(10).length, 10);
});

test('disk reads use the log read pool and give the buffer back on release', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-pool-'));
  const pool = new BufferPool();
  const log = await PartitionLog.open(path.join(root, 't-0'), { flush: 'os', tailCacheBytes: 0 }, { readPool: pool, logger: { info() {}, warn() {}, error() {} } });
  try {
    for (let i = 0; i < 20; i++) await log.append(makeBatch({ records: 3, payloadBytes: 500, tag: i }));
    const first = await log.read(0, 4000);
    const firstBatches = splitBatches(first.data).map((b) => b.baseOffset);
    first.release();
    first.release(); // idempotent: given back once
    const again = await log.read(0, 4000);
    assert.equal(again.data.buffer, first.data.buffer, 'the released buffer is reused');
    assert.deepEqual(splitBatches(again.data).map((b) => b.baseOffset), firstBatches);
    const held = await log.read(again.nextOffset, 4000); // `again` not released: a new buffer
    assert.notEqual(held.data.buffer, again.data.buffer);
    assert.equal(pool.stats.reused, 1);
  } finally {
    await log.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
