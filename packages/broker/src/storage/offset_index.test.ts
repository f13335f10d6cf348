import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OffsetIndex } from './offset_index.ts';

const entries = fc
  .uniqueArray(fc.integer({ min: 1, max: 100_000 }), { maxLength: 200 })
  .map((rels) => rels.sort((a, b) => a - b).map((rel) => [rel, rel * 10] as const));

test('floorPosition matches a linear search', () => {
  fc.assert(
    fc.property(entries, fc.array(fc.integer({ min: -5, max: 100_010 }), { maxLength: 50 }), (es, queries) => {
      const index = new OffsetIndex();
      for (const [rel, pos] of es) index.append(rel, pos);
      assert.equal(index.length, es.length);
      for (const q of queries) {
        const floor = es.filter(([rel]) => rel <= q).at(-1);
        assert.equal(index.floorPosition(q), floor === undefined ? 0 : floor[1]);
      }
    }),
  );
});

test('encode/decode round trip; decode rejects broken files', () => {
  fc.assert(
    fc.property(entries, (es) => {
      const index = new OffsetIndex();
      for (const [rel, pos] of es) index.append(rel, pos);
      const bytes = index.encode();
      const back = OffsetIndex.decode(bytes, 1_000_001);
      assert.ok(back instanceof OffsetIndex);
      assert.deepEqual(back.encode(), bytes);
      assert.equal(back.persisted, es.length);
      if (es.length > 0) {
        assert.match(OffsetIndex.decode(bytes, es.at(-1)![1]) as string, /past the log end/);
        assert.match(OffsetIndex.decode(bytes.subarray(1), 1_000_001) as string, /not a multiple of 8/);
      }
      if (es.length > 1) {
        const swapped = Buffer.concat([bytes.subarray(8, 16), bytes.subarray(0, 8)]);
        assert.match(OffsetIndex.decode(swapped, 1_000_001) as string, /does not increase/);
      }
    }),
  );
  assert.match(OffsetIndex.decode(Buffer.alloc(8), 100) as string, /does not increase/, 'a zeroed page is not trusted');
});

test('append ignores non-increasing entries and position 0; truncateToPosition drops the tail', () => {
  const index = new OffsetIndex();
  index.append(0, 0);
  index.append(5, 100);
  index.append(5, 200);
  index.append(4, 300);
  index.append(9, 300);
  assert.equal(index.length, 2);
  index.persisted = 2;
  assert.equal(index.truncateToPosition(301), 0);
  assert.equal(index.truncateToPosition(300), 1, 'an entry at the cut is dropped too');
  assert.equal(index.length, 1);
  assert.equal(index.persisted, 1);
  assert.equal(index.lastPosition, 100);
});
