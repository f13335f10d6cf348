import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

test('aggregate-average emits the running average as JSON', async () => {
  const sm = await ExampleRunner.open('aggregate-average');
  try {
    const out = await sm.run(['10', '20', '30', '0.5']);
    assert.equal(out.error, undefined);
    const states = out.values.map((v) => JSON.parse(v));
    assert.deepEqual(states.map((s) => s.count), [1, 2, 3, 4]);
    assert.deepEqual(states.slice(0, 3).map((s) => s.average), [10, 15, 20]);
    assert.ok(Math.abs(states[3].average - 60.5 / 4) < 1e-12);
    // the state carries over to the next batch
    const next = await sm.run(['100']);
    const s = JSON.parse(next.values[0]);
    assert.equal(s.count, 5);
    assert.ok(Math.abs(s.average - 160.5 / 5) < 1e-12);
  } finally {
    await sm.close();
  }
});

test('aggregate-average starts over from an unreadable accumulator and fails on non-numbers', async () => {
  const sm = await ExampleRunner.open('aggregate-average', { initialAccumulator: new TextEncoder().encode('garbage') });
  try {
    const out = await sm.run(['4', 'n/a'], 9);
    assert.deepEqual(out.values.map((v) => JSON.parse(v)), [{ average: 4, count: 1 }]);
    assert.equal(out.error?.offset, 10);
    assert.match(out.error?.hint ?? '', /invalid number in record value: "n\/a"/);
  } finally {
    await sm.close();
  }
});
