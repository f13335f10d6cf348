import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputPool } from './output_pool.ts';

test('OutputPool lends buffers big enough for the input or the largest output, reuses released ones, keeps a few', () => {
  const pool = new OutputPool(2);
  const a = pool.take(100_000)!;
  assert.ok(a.byteLength >= 100_000);
  assert.equal(a.byteLength % 65536, 0);
  const b = pool.take(100_000)!;
  assert.notEqual(a, b);
  pool.give(a);
  assert.equal(pool.take(50_000), a, 'the released buffer serves a smaller call');
  pool.give(a);
  pool.saw(300_000);
  const c = pool.take(10)!;
  assert.ok(c.byteLength >= 300_000, 'sized for the largest output seen');
  pool.give(b); // now too small to serve again: dropped
  assert.equal(pool.freeCount, 1);
  pool.give(c);
  const d = pool.take(400_000)!;
  const e = pool.take(400_000)!;
  pool.give(d);
  pool.give(e);
  assert.equal(pool.freeCount, 2, 'at most maxFree kept');
  assert.equal(pool.lentCount, 0);
});

test('OutputPool stops lending once maxLent buffers are out, and lends again when they come back', () => {
  const pool = new OutputPool(4, 3);
  const out = [pool.take(1000), pool.take(1000), pool.take(1000)];
  assert.ok(out.every((x) => x instanceof SharedArrayBuffer));
  assert.equal(pool.take(1000), null);
  pool.give(out[1]!);
  assert.equal(pool.take(1000), out[1]);
  assert.equal(pool.lentCount, 3);
});
