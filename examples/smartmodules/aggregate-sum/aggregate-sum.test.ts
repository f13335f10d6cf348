import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

test('aggregate-sum emits the running sum and keeps it across batches', async () => {
  const sm = await ExampleRunner.open('aggregate-sum');
  try {
    const first = await sm.run(['1', '2', '3']);
    assert.equal(first.error, undefined);
    assert.deepEqual(first.values, ['1', '3', '6']);
    const second = await sm.run(['10', '-6'], 3);
    assert.deepEqual(second.values, ['16', '10']);
    assert.deepEqual(second.records.map((r) => r.offset), [3, 4]);
  } finally {
    await sm.close();
  }
});

test('aggregate-sum starts from the initial accumulator and stops at a bad record', async () => {
  const sm = await ExampleRunner.open('aggregate-sum', { initialAccumulator: new TextEncoder().encode('100') });
  try {
    const out = await sm.run(['5', 'five', '7'], 20);
    assert.deepEqual(out.values, ['105']);
    assert.equal(out.error?.kind, 'aggregate');
    assert.equal(out.error?.offset, 21);
    // the accumulator kept is the last good one
    const next = await sm.run(['1'], 23);
    assert.deepEqual(next.values, ['106']);
  } finally {
    await sm.close();
  }
});
