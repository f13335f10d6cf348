import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAsync } from './merge.ts';

async function* gen(prefix: string, n: number, delay: number) {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, delay));
    yield `${prefix}${i}`;
  }
}

test('yields every item of every source, each source in order', async () => {
  const out: string[] = [];
  for await (const x of mergeAsync([gen('a', 5, 1), gen('b', 3, 2), gen('c', 0, 1)])) out.push(x);
  assert.equal(out.length, 8);
  assert.deepEqual(out.filter((x) => x[0] === 'a'), ['a0', 'a1', 'a2', 'a3', 'a4']);
  assert.deepEqual(out.filter((x) => x[0] === 'b'), ['b0', 'b1', 'b2']);
});

test('stopping early closes every source', async () => {
  let closed = 0;
  async function* counted(n: number) {
    try { for (let i = 0; ; i++) { await new Promise((r) => setTimeout(r, n)); yield i; } } finally { closed++; }
  }
  for await (const x of mergeAsync([counted(1), counted(2)])) if (x >= 2) break;
  assert.equal(closed, 2);
});
