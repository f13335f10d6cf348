import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner, BASE_TIMESTAMP } from '../harness.ts';

test('map-double doubles integers and keeps keys, offsets and timestamps', async () => {
  const sm = await ExampleRunner.open('map-double');
  try {
    const out = await sm.run([{ key: 'a', value: '1' }, '21', { key: '', value: '-7' }, ' 100\n'], 7);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.records, [
      { key: 'a', value: '2', offset: 7, timestamp: BASE_TIMESTAMP },
      { key: null, value: '42', offset: 8, timestamp: BASE_TIMESTAMP + 1 },
      { key: '', value: '-14', offset: 9, timestamp: BASE_TIMESTAMP + 2 },
      { key: null, value: '200', offset: 10, timestamp: BASE_TIMESTAMP + 3 },
    ]);
  } finally {
    await sm.close();
  }
});

test('map-double fails on a value that is not an integer', async () => {
  const sm = await ExampleRunner.open('map-double');
  try {
    const out = await sm.run(['1', '2.5', '3'], 0);
    assert.deepEqual(out.values, ['2']);
    assert.equal(out.error?.offset, 1);
    assert.equal(out.error?.kind, 'map');
    assert.match(out.error?.hint ?? '', /invalid integer/);
  } finally {
    await sm.close();
  }
});
