import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlabPool, TailCache } from './tail_cache.ts';

test('contiguous appends share a buffer; a full buffer rotates without overwriting old views', () => {
  const cache = new TailCache(200); // two 100-byte buffers
  const a = cache.put(Buffer.alloc(40, 1), 0, 0, 4)!;
  const b = cache.put(Buffer.alloc(40, 2), 40, 4, 8)!;
  assert.equal(a.buffer, b.buffer);
  assert.equal(a.byteOffset + a.length, b.byteOffset);
  const c = cache.put(Buffer.alloc(40, 3), 80, 8, 12)!; // does not fit: new buffer
  assert.notEqual(c.buffer, a.buffer);
  assert.deepEqual([...new Set(a)], [1]);
  assert.deepEqual([...new Set(b)], [2]);
  assert.equal(cache.find(5)?.filePosition, 0);
  assert.equal(cache.find(9)?.filePosition, 80);
  assert.equal(cache.find(12), null);
  cache.put(Buffer.alloc(40, 4), 120, 12, 16);
  cache.put(Buffer.alloc(40, 5), 160, 16, 20); // rotates again: offsets 0-7 are gone
  assert.equal(cache.find(5), null);
  assert.equal(cache.find(10)?.startOffset, 8);
  assert.deepEqual([...new Set(a)], [1], 'views handed out earlier never change');
});

test('oversized data is not cached; a gap starts a new buffer; size 0 disables', () => {
  const cache = new TailCache(200);
  assert.equal(cache.put(Buffer.alloc(101), 0, 0, 1), null);
  cache.put(Buffer.alloc(10), 101, 1, 2);
  assert.equal(cache.find(0), null);
  assert.equal(cache.find(1)?.filePosition, 101);
  cache.put(Buffer.alloc(10), 500, 9, 10); // not contiguous with the previous put
  assert.equal(cache.find(9)?.filePosition, 500);
  assert.equal(cache.find(1)?.filePosition, 101, 'previous buffer kept');
  assert.equal(new TailCache(0).put(Buffer.alloc(1), 0, 0, 1), null);
});

test('a retired slab is reused only once written and released by every reader', () => {
  const pool = new SlabPool(100, 4);
  const cache = new TailCache(200, pool);
  const put = (fill: number, pos: number): Buffer => cache.put(Buffer.alloc(60, fill), pos, pos, pos + 60)!;
  const a = put(1, 0); // slab 1
  const hold = TailCache.hold(cache.find(0)!);
  put(2, 60); // slab 2 (prev = slab 1)
  put(3, 120); // slab 3: slab 1 retired, slab 2 prev
  put(4, 180); // slab 1 not written yet: a new slab
  assert.equal(pool.stats.allocated, 4);
  assert.deepEqual([...new Set(a)], [1]);
  cache.written(240); // everything on file; slab 1 still held by the reader
  put(5, 240);
  assert.equal(pool.stats.reused, 1, 'slab 2 (written, unheld) comes back');
  assert.deepEqual([...new Set(a)], [1], 'the held slab is left alone');
  hold();
  hold(); // idempotent
  cache.written(300);
  put(6, 300);
  assert.equal(pool.stats.reused, 2);
  assert.deepEqual([...new Set(a)], [6], 'slab 1 recycled once released');
  assert.equal(cache.find(300)?.buf.buffer, a.buffer);
  assert.equal(cache.find(250)?.startOffset, 240);
});

test('a new segment cache takes slabs from the partition pool once the old ones are free', () => {
  const pool = new SlabPool(100);
  const old = new TailCache(200, pool);
  old.put(Buffer.alloc(80, 1), 0, 0, 1);
  old.put(Buffer.alloc(80, 2), 80, 1, 2);
  old.written(160);
  old.clear();
  const next = new TailCache(200, pool);
  next.put(Buffer.alloc(10, 3), 0, 2, 3);
  assert.equal(pool.stats.allocated, 2);
  assert.equal(pool.stats.reused, 1);
});
