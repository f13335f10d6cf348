import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulated, batchOf, flags, openOperator, text } from '../../harness.ts';

test('snapshot branch: True only on the snapshot_topic; without it every message goes False', async () => {
  const { op } = await openOperator('snapshot', 'branch');
  op.init({ snapshot_topic: 'cameras' });
  assert.deepEqual(flags(op.decide(batchOf([{ payload: 'x', topic: 'cameras' }, { payload: 'x', topic: 'sensors' }]))), [true, false]);
  const none = await openOperator('snapshot', 'branch');
  none.op.init({});
  assert.deepEqual(flags(none.op.decide(batchOf([{ payload: 'x', topic: 'cameras' }, { payload: 'x', topic: '' }]))), [false, false]);
  assert.throws(() => none.op.decide(batchOf([{ payload: 'x', kind: 'raw' }])), /Unexpected input type/);
});

test('snapshot accumulate joins the distinct objects; map refuses messages (no frames in Eddy)', async () => {
  const { op } = await openOperator('snapshot', 'accumulate');
  const o = (result: string) => ({ payload: JSON.stringify({ object: { result } }), timestamp: 10_000 });
  assert.deepEqual(JSON.parse(text(accumulated(op.accumulate(batchOf([o('laptop'), o('tripod'), o('laptop')]))))), { object: { result: 'laptop; tripod' } });
  const map = await openOperator('snapshot', 'map');
  assert.throws(() => map.op.map(batchOf([o('x')])), /Unexpected input type/);
});
