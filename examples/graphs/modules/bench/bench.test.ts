import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOf, flags, openOperator, props, refusal, text, timestamps } from '../../harness.ts';

const reading = (id: number, value: string, ok: boolean, sensor = 's-07') =>
  `{"id":${id},"sensor":"${sensor}","value":${value},"ok":${ok},"pad":"xxxx"}`;

test('filter keeps "ok":true by a byte scan', async () => {
  const { op } = await openOperator('bench', 'filter');
  assert.deepEqual(flags(op.decide(batchOf([
    { payload: reading(1, '1.5', true) }, { payload: reading(2, '1.5', false) }, { payload: 'not json' }, { payload: '' },
  ]))), [true, false, false, false]);
});

test('map mode=double doubles "value" as text, keeps the rest byte for byte', async () => {
  const { op } = await openOperator('bench', 'map');
  assert.equal(refusal(op, {}), null);
  const values = ['21.5', '0.5', '0.05', '-3.25', '499.9', '7', '0', '12345678901234567'];
  const out = op.map(batchOf(values.map((v, i) => ({ payload: reading(i, v, true), topic: 't', properties: { k: 'v' }, timestamp: { physical: 5n, counter: 1, node: 2 } })))).decodeAll();
  assert.deepEqual(out.map(text), ['43.0', '1.0', '0.10', '-6.50', '999.8', '14', '0', '24691357802469134'].map((v, i) => reading(i, v, true)));
  for (const m of out) {
    assert.equal(m.topic, 't');
    assert.deepEqual(props(m), [['k', 'v']]);
    assert.deepEqual(m.timestamp, { physical: 5n, counter: 1, node: 2 });
  }
  // no "value", or not a plain decimal: unchanged
  assert.deepEqual(op.map(batchOf([{ payload: '{"x":1}' }, { payload: '{"value":"a"}' }, { payload: '{"value":1.}' }])).decodeAll().map(text), ['{"x":1}', '{"value":"a"}', '{"value":1.}']);
});

test('map mode=upper upper-cases the sensor id; a bad mode is refused', async () => {
  const { op } = await openOperator('bench', 'map');
  assert.equal(refusal(op, { mode: 'upper' }), null);
  assert.deepEqual(op.map(batchOf([{ payload: reading(1, '2.5', true, 'ab-07z') }, { payload: '{}' }])).decodeAll().map(text), [reading(1, '2.5', true, 'AB-07Z'), '{}']);
  const bad = await openOperator('bench', 'map');
  assert.match(refusal(bad.op, { mode: 'triple' })!, /mode must be double or upper, not "triple"/);
});

test('branch by the last digit of "id"; delay to the end of the second', async () => {
  const { op } = await openOperator('bench', 'branch');
  assert.deepEqual(flags(op.decide(batchOf([0, 7, 8, 19, 1234567].map((id) => ({ payload: reading(id, '1', true) })).concat([{ payload: '{}' }])))), [true, true, false, false, true, false]);
  const delay = await openOperator('bench', 'delay');
  assert.deepEqual(timestamps(delay.op.delay(batchOf([{ payload: '', timestamp: { physical: 1_735_689_600_000_000_001n, counter: 3, node: 4 } }, { payload: '', timestamp: 1999 }]))), [
    { physical: 1_735_689_601_000_000_000n, counter: 0, node: 4 }, // ns: to the end of its second
    { physical: 2_000_000_000n, counter: 0, node: 0 }, // 1999 ms
  ]);
});
