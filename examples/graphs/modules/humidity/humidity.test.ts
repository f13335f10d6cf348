import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulated, batchOf, compiledModule, exportNames, openOperator, text } from '../../harness.ts';

const h = (sensor: string, value: number) => ({ payload: JSON.stringify({ sensor_id: sensor, type: 'humidity', value, unit: '%' }), timestamp: 20_000 });

test('humidity accumulates min, max, average and count, ignoring other readings', async () => {
  const module = await compiledModule('humidity');
  assert.deepEqual(exportNames(module).filter((e) => e.startsWith('graph_')).sort(), ['graph_abi_version', 'graph_accumulate']);
  assert.deepEqual([...module.provides], ['accumulate']);
  const { op } = await openOperator('humidity', 'accumulate');
  const out = accumulated(op.accumulate(batchOf([h('hum-01', 45.2), h('hum-02', 51.9), h('hum-01', 44.8), { payload: '{"type":"temperature","value":99}', timestamp: 20_000 }, { payload: 'x', timestamp: 20_000 }])));
  assert.deepEqual(JSON.parse(text(out)), { type: 'humidity', unit: '%', count: 3, min: 44.8, max: 51.9, average: Math.round(((45.2 + 51.9 + 44.8) / 3) * 100) / 100 });
});

test('humidity over a window without humidity readings says count 0', async () => {
  const { op } = await openOperator('humidity', 'accumulate');
  assert.deepEqual(JSON.parse(text(accumulated(op.accumulate(batchOf([{ payload: '{"type":"temperature","value":1}' }]))))), { type: 'humidity', unit: '%', count: 0 });
});
