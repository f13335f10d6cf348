import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOf, openOperator, refusal, timestamps } from '../../harness.ts';

test('window moves each message to the end of its 10-second window (default)', async () => {
  const { op } = await openOperator('window', 'delay');
  assert.equal(refusal(op), null);
  const at = (physical: number, counter = 0) => ({ payload: 'x', timestamp: { physical, counter, node: 7 } });
  const out = timestamps(op.delay(batchOf([at(1_735_689_600_000), at(1_735_689_600_001, 5), at(1_735_689_609_999), at(1_735_689_610_000, 2), at(3)])));
  assert.deepEqual(out, [
    { physical: 1_735_689_610_000, counter: 0, node: 7 },
    { physical: 1_735_689_610_000, counter: 0, node: 7 },
    { physical: 1_735_689_610_000, counter: 0, node: 7 },
    { physical: 1_735_689_620_000, counter: 0, node: 7 },
    { physical: 10_000, counter: 0, node: 7 },
  ]);
});

test('window_size_seconds sets the window; bad values are refused', async () => {
  const { op } = await openOperator('window', 'delay');
  assert.equal(refusal(op, { window_size_seconds: '60' }), null);
  assert.deepEqual(timestamps(op.delay(batchOf([{ payload: '', timestamp: 61_000 }, { payload: '', timestamp: 119_999 }]))).map((t) => t.physical), [120_000, 120_000]);
  for (const bad of ['0', '-5', 'ten', '1.5']) {
    const w = await openOperator('window', 'delay');
    assert.match(refusal(w.op, { window_size_seconds: bad })!, new RegExp(`window_size_seconds must be .*"${bad.replace('.', '\\.')}"`));
  }
});
