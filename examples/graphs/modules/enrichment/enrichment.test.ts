// Azure's enrichment rules: max > 100 °C sets overtemp (sticky through the state store) and
// counts it; min < 0 clears it; humidity max > 80 sets wet_flag, min < 80 deletes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOf, openOperator, props, text } from '../../harness.ts';

const doc = (temperature: Record<string, unknown>[], humidity: Record<string, unknown>[] = []) => ({
  payload: JSON.stringify({ sensor_data: { temperature, humidity, object: [] } }),
  topic: 'in', contentType: 'application/json', properties: { a: 'b' }, timestamp: 10_000,
});
const t = (max: number, min: number) => ({ count: 1, max, min, average: max, last: max, unit: 'C' });
const hum = (max: number, min: number) => ({ count: 1, max, min, average: max, last: max });

test('enrichment flags over-temperature, keeps it through the state store and counts alerts', async () => {
  const { op, host } = await openOperator('enrichment', 'map');
  op.init({});
  const get = (k: string) => { const v = host.state.get(Buffer.from(k)); return v ? Buffer.from(v).toString() : null; };
  let out = op.map(batchOf([doc([{ ...t(150, 120), value: 130 }])])).decode(0);
  assert.deepEqual(JSON.parse(text(out)), { temperature: [{ ...t(150, 120), overtemp: true }], humidity: [], object: [] });
  assert.equal(out.topic, 'sensors');
  assert.equal(out.contentType, '');
  assert.deepEqual(props(out), [['a', 'b']]);
  assert.equal(get('overtemp'), 'true');
  assert.equal(get('overtemp_count'), '1');
  assert.equal(get('lock'), null); // released
  // a normal window after an alert stays flagged
  out = op.map(batchOf([doc([t(50, 20)])])).decode(0);
  assert.equal(JSON.parse(text(out)).temperature[0].overtemp, true);
  op.map(batchOf([doc([t(101, 101)])]));
  assert.equal(get('overtemp_count'), '2');
  // below freezing clears it
  out = op.map(batchOf([doc([t(50, -1)])])).decode(0);
  assert.equal(JSON.parse(text(out)).temperature[0].overtemp, false);
  assert.equal(get('overtemp'), 'false');
  out = op.map(batchOf([doc([t(50, 20)])])).decode(0);
  assert.equal(JSON.parse(text(out)).temperature[0].overtemp, false);
});

test('enrichment sets wet_flag to a humidity max above 80 and deletes it when min is below 80', async () => {
  const { op, host } = await openOperator('enrichment', 'map');
  op.init({});
  const get = (k: string) => { const v = host.state.get(Buffer.from(k)); return v ? Buffer.from(v).toString() : null; };
  op.map(batchOf([doc([], [hum(85.5, 82)])]));
  assert.equal(get('wet_flag'), '85.5');
  op.map(batchOf([doc([], [hum(80, 80)])]));
  assert.equal(get('wet_flag'), '85.5'); // neither rule applies
  op.map(batchOf([doc([], [hum(79, 60)])]));
  assert.equal(get('wet_flag'), null);
  assert.throws(() => op.map(batchOf([{ payload: '{"temperature":{"value":1,"unit":"C"}}' }])), /Unexpected type for result/);
});
