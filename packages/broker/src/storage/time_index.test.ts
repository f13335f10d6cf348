import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimeIndex } from './time_index.ts';

const entries = fc
  .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 100 })
  .chain((rels) =>
    fc
      .array(fc.integer({ min: -1, max: 2 ** 44 }), { minLength: rels.length, maxLength: rels.length })
      .map((ts) => {
        const sortedRels = [...rels].sort((a, b) => a - b);
        const sortedTs = ts.sort((a, b) => a - b);
        return sortedRels.map((rel, i) => [sortedTs[i], rel] as const);
      }),
  );

test('lastBelow matches a linear search', () => {
  fc.assert(
    fc.property(entries, fc.array(fc.integer({ min: -3, max: 2 ** 44 + 5 }), { maxLength: 30 }), (es, queries) => {
      const index = new TimeIndex();
      for (const [ts, rel] of es) index.append(ts, rel);
      for (const q of [...queries, ...es.map(([ts]) => ts)]) {
        const below = es.filter(([ts]) => ts < q).at(-1);
        assert.equal(index.lastBelow(q), below === undefined ? -1 : below[1]);
      }
    }),
  );
});

test('encode/decode round trip; decode rejects backwards entries and bad sizes', () => {
  fc.assert(
    fc.property(entries, (es) => {
      const index = new TimeIndex();
      for (const [ts, rel] of es) index.append(ts, rel);
      const bytes = index.encode();
      const back = TimeIndex.decode(bytes);
      assert.ok(back instanceof TimeIndex);
      assert.deepEqual(back.encode(), bytes);
      assert.equal(back.lastTimestamp, es.length ? es.at(-1)![0] : -Infinity);
      if (es.length > 0) assert.match(TimeIndex.decode(bytes.subarray(0, bytes.length - 1)) as string, /not a multiple of 12/);
      if (es.length > 1 && es[0][0] !== es[1][0]) {
        const swapped = Buffer.concat([bytes.subarray(12, 24), bytes.subarray(0, 12)]);
        assert.match(TimeIndex.decode(swapped) as string, /goes backwards/);
      }
    }),
  );
});

test('truncateAfter drops entries for later batches', () => {
  const index = new TimeIndex();
  index.append(10, 0);
  index.append(20, 5);
  index.append(20, 9);
  index.append(15, 12); // older timestamp: ignored
  assert.equal(index.length, 3);
  assert.equal(index.truncateAfter(8), 1);
  assert.equal(index.lastRelativeOffset, 5);
  assert.equal(index.lastTimestamp, 20);
});
