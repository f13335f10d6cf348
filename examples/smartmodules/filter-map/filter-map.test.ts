import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

test('filter-map drops odd numbers and halves even ones, keeping offsets and keys', async () => {
  const sm = await ExampleRunner.open('filter-map');
  try {
    const out = await sm.run(['1', { key: 'k', value: '2' }, '3', '40', '-8'], 1000);
    assert.equal(out.error, undefined);
    assert.deepEqual(
      out.records.map((r) => [r.key, r.value, r.offset]),
      [['k', '1', 1001], [null, '20', 1003], [null, '-4', 1004]],
    );
    const bad = await sm.run(['2', 'x'], 5);
    assert.deepEqual(bad.values, ['1']);
    assert.equal(bad.error?.kind, 'filter_map');
    assert.equal(bad.error?.offset, 6);
  } finally {
    await sm.close();
  }
});
