import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

test('array-map-json emits one record per array element', async () => {
  const sm = await ExampleRunner.open('array-map-json');
  try {
    const out = await sm.run(['["Apple", "Banana"]', '[]', '[1, 2.5, {"a": [true, null]}, "x\\ny"]']);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.values, ['"Apple"', '"Banana"', '1', '2.5', '{"a":[true,null]}', '"x\\ny"']);
    // each element parses back to what the array held
    assert.deepEqual(out.values.map((v) => JSON.parse(v)), ['Apple', 'Banana', 1, 2.5, { a: [true, null] }, 'x\ny']);
  } finally {
    await sm.close();
  }
});

test('array-map-json fails on values that are not JSON arrays', async () => {
  const sm = await ExampleRunner.open('array-map-json');
  try {
    const out = await sm.run(['[1]', '{"a":1}', '[2]'], 3);
    assert.deepEqual(out.values, ['1']);
    assert.equal(out.error?.kind, 'array_map');
    assert.equal(out.error?.offset, 4);
    assert.equal(out.error?.hint, 'value is not a JSON array');
  } finally {
    await sm.close();
  }
});
