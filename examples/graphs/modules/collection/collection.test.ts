import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulated, batchOf, openOperator, text } from '../../harness.ts';

test('collection groups one timestamp\'s measurements by kind into sensor_data, as Azure\'s', async () => {
  const { op } = await openOperator('collection', 'accumulate');
  const t = { temperature: { count: 2, max: 72, min: 70, average: 71, last: 70, unit: 'C' } };
  const h = { humidity: { count: 1, max: 40, min: 40, average: 40, last: 40 } };
  const o = { object: { result: 'laptop' } };
  const out = accumulated(op.accumulate(batchOf([t, h, o, { temperature: { value: 5, unit: 'F' } }].map((p) => ({ payload: JSON.stringify(p), topic: 'sensors', timestamp: 10_000 })))));
  assert.deepEqual(JSON.parse(text(out)), {
    sensor_data: {
      temperature: [{ ...t.temperature, overtemp: false }, { value: 5, count: 0, max: 0, min: 0, average: 0, last: 0, unit: 'F', overtemp: false }],
      humidity: [h.humidity],
      object: [o.object],
    },
  });
  assert.equal(out.timestamp.physical, 10_000n * 1_000_000n); // ns
  assert.throws(() => op.accumulate(batchOf([{ payload: '{"sensor_data":{}}', timestamp: 1 }])), /Unexpected measurement type/);
});
