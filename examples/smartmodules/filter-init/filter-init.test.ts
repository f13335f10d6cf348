import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmartModuleInitError } from '@eddy/smartengine';
import { ExampleRunner } from '../harness.ts';

test('filter-init keeps values containing the "key" parameter', async () => {
  const sm = await ExampleRunner.open('filter-init', { params: { key: 'an' } });
  try {
    const out = await sm.run(['banana', 'apple', 'mango', 'kiwi', 'ANT']);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.values, ['banana', 'mango']);
  } finally {
    await sm.close();
  }
});

test('filter-init receives params on old ABI versions too', async () => {
  for (const version of [16, 19, 20, 21, 22, 23]) {
    const sm = await ExampleRunner.open('filter-init', { params: { other: 'x', key: 'ki' }, version });
    try {
      const out = await sm.run(['kiwi', 'apple', 'skip']);
      assert.deepEqual(out.values, ['kiwi', 'skip'], `version ${version}`);
    } finally {
      await sm.close();
    }
  }
});

test('filter-init refuses to start without the "key" parameter, with its hint', async () => {
  await assert.rejects(ExampleRunner.open('filter-init', { params: { other: 'x' } }), (err: unknown) => {
    assert.ok(err instanceof SmartModuleInitError);
    assert.equal(err.hint, 'missing required parameter "key"');
    return true;
  });
});
