import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputPool } from './output-pool.ts';

test('OutputPool lends buffers big enough for the input or the largest output, reuses released ones, keeps a few', () => {
  const pool = new OutputPool(2);
  const a = pool.take(100_000);
  assert.ok(a.byteLength >= 100_000);
  assert.equal(a.byteLength % 65536, 0);
  const b = pool.take(100_000);
  assert.notEqual(a, b);
  pool.give(a);
  assert.equal(pool.take(50_000), a, 'the released buffer serves a smaller call');
  pool.give(a);
  pool.saw(300_000);
  const c = pool.take(10);
  assert.ok(c.byteLength >= 300_000, 'sized for the largest output seen');
  pool.give(b); // now too small to serve again: dropped
  assert.equal(pool.freeCount, 1);
  pool.give(c);
  pool.give(pool.take(400_000));
  pool.give(new SharedArrayBuffer(1 << 20));
  assert.equal(pool.freeCount, 2, 'at most maxFree kept');
});
