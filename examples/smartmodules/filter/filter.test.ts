import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner, BASE_TIMESTAMP } from '../harness.ts';

test('filter keeps values containing "a", unchanged, with their offsets and keys', async () => {
  const sm = await ExampleRunner.open('filter');
  try {
    const out = await sm.run([{ key: 'k1', value: 'apple' }, 'fig', 'banana', 'kiwi', '', 'A', 'grape'], 100);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.records, [
      { key: 'k1', value: 'apple', offset: 100, timestamp: BASE_TIMESTAMP },
      { key: null, value: 'banana', offset: 102, timestamp: BASE_TIMESTAMP + 2 },
      { key: null, value: 'grape', offset: 106, timestamp: BASE_TIMESTAMP + 6 },
    ]);
    const none = await sm.run(['xyz', 'foo']);
    assert.deepEqual(none.values, []);
    const multibyte = await sm.run(['ñandú', 'café', 'über']);
    assert.deepEqual(multibyte.values, ['ñandú', 'café']);
  } finally {
    await sm.close();
  }
});
