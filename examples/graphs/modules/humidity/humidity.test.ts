import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphInstance } from '../../harness.ts';

const h = (sensor: string, value: number) => ({ payload: JSON.stringify({ sensor_id: sensor, type: 'humidity', value, unit: '%' }), timestamp: 20_000 });

test('humidity accumulates min, max, average and count, ignoring other readings', async () => {
  const g = await GraphInstance.open('humidity');
  assert.deepEqual(Object.keys(g.exports).filter((e) => e.startsWith('graph_')).sort(), ['graph_abi_version', 'graph_accumulate']);
  const out = g.accumulate([h('hum-01', 45.2), h('hum-02', 51.9), h('hum-01', 44.8), { payload: '{"type":"temperature","value":99}', timestamp: 20_000 }, { payload: 'x', timestamp: 20_000 }]);
  assert.deepEqual(JSON.parse(out.text), { type: 'humidity', unit: '%', count: 3, min: 44.8, max: 51.9, average: Math.round(((45.2 + 51.9 + 44.8) / 3) * 100) / 100 });
});

test('humidity over a window without humidity readings says count 0', async () => {
  const g = await GraphInstance.open('humidity');
  assert.deepEqual(JSON.parse(g.accumulate([{ payload: '{"type":"temperature","value":1}' }]).text), { type: 'humidity', unit: '%', count: 0 });
});
