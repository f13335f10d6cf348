import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulated, batchOf, compiledModule, exportNames, openOperator, text } from '../../harness.ts';

const h = (value: number, physical = 20_000) => ({ payload: JSON.stringify({ humidity: { value } }), topic: 'sensors', timestamp: physical });

test('humidity accumulates count, max, min, average (full precision) and last, as Azure\'s', async () => {
  const module = await compiledModule('humidity');
  assert.deepEqual(exportNames(module).filter((e) => e.startsWith('graph_')).sort(), ['graph_abi_version', 'graph_accumulate']);
  const { op } = await openOperator('humidity', 'accumulate');
  const out = accumulated(op.accumulate(batchOf([h(45.2), h(51.9), h(44.8)])));
  assert.deepEqual(JSON.parse(text(out)), { humidity: { count: 3, max: 51.9, min: 44.8, average: (45.2 + 51.9 + 44.8) / 3, last: 44.8 } });
  assert.equal(out.topic, 'sensors');
});

test('humidity fails on a temperature reading or a payload that is no measurement', async () => {
  const { op } = await openOperator('humidity', 'accumulate');
  assert.throws(() => op.accumulate(batchOf([h(1), { payload: '{"temperature":{"value":1,"unit":"C"}}', timestamp: 20_000 }])), /Unexpected measurement type/);
  assert.throws(() => op.accumulate(batchOf([{ payload: 'x', timestamp: 20_000 }])), /not a measurement/);
});
