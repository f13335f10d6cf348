import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TailCache } from './tail_cache.ts';

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
