import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmartModuleLookBackError } from '@eddy/smartengine';
import { ExampleRunner, section } from '../harness.ts';

test('look-back keeps only values greater than the last one let through', async () => {
  const sm = await ExampleRunner.open('look-back');
  try {
    const out = await sm.run(['1', '3', '2', '5', '5', '4', '6']);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.values, ['1', '3', '5', '6']);
    const next = await sm.run(['6', '7']);
    assert.deepEqual(next.values, ['7']);
  } finally {
    await sm.close();
  }
});

test('look-back primes the last value from history before streaming', async () => {
  const sm = await ExampleRunner.open('look-back', { lookback: { last: 2 } });
  try {
    await sm.chain.lookBack({ records: section(['8', '10']), baseOffset: 0 });
    const out = await sm.run(['9', '10', '11', '3', '12'], 2);
    assert.deepEqual(out.values, ['11', '12']);
  } finally {
    await sm.close();
  }
});

test('look-back reports a bad history record with its offset', async () => {
  const sm = await ExampleRunner.open('look-back', { lookback: { last: 2 } });
  try {
    await assert.rejects(sm.chain.lookBack({ records: section(['1', 'one']), baseOffset: 40 }), (err: unknown) => {
      assert.ok(err instanceof SmartModuleLookBackError, String(err));
      assert.equal(err.offset, 41);
      assert.match(err.hint, /invalid integer in record value: "one"/);
      return true;
    });
  } finally {
    await sm.close();
  }
});
