import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphOperatorError, MessageBatch } from '@eddy/dataflow';
import { accumulated, batchOf, compiledModule, exportNames, flags, openOperator, props, refusal, text } from '../../harness.ts';

const reading = (sensor: string, value: number, unit = 'C', type = 'temperature') => ({
  payload: JSON.stringify({ sensor_id: sensor, type, value, unit }),
  topic: 'sensors',
  contentType: 'application/json',
  properties: { site: 'plant-1' },
  timestamp: { physical: 1_735_689_600_000, counter: 3, node: 1 },
});

test('temperature exports every operator and init', async () => {
  const module = await compiledModule('temperature');
  const exports = exportNames(module);
  for (const e of ['graph_abi_version', 'graph_init', 'graph_map', 'graph_filter', 'graph_branch', 'graph_accumulate', 'alloc', 'dealloc', 'memory']) {
    assert.ok(exports.includes(e), e);
  }
  assert.equal(exports.includes('graph_delay'), false);
  assert.deepEqual([...module.provides].sort(), ['accumulate', 'branch', 'filter', 'map']);
  assert.equal(module.hasInit, true);
});

test('map converts Celsius to Fahrenheit and keeps topic, content type, properties and timestamp', async () => {
  const { op } = await openOperator('temperature', 'map');
  assert.equal(refusal(op), null);
  const inputs = [reading('temp-01', 21.5), reading('temp-02', -40), reading('temp-03', 100), reading('hum-01', 45, '%', 'humidity'), reading('temp-04', 70, 'F')];
  const out = op.map(batchOf([...inputs, { payload: 'not json', topic: 't' }])).decodeAll();
  const json = out.map((m) => (text(m).startsWith('{') ? JSON.parse(text(m)) : text(m)));
  assert.deepEqual(json[0], { sensor_id: 'temp-01', type: 'temperature', value: 21.5 * 9 / 5 + 32, unit: 'F', original_celsius: 21.5 });
  assert.equal(json[0].value, 70.7);
  assert.equal(json[1].value, -40);
  assert.equal(json[2].value, 212);
  assert.deepEqual(json[3], JSON.parse(inputs[3].payload)); // humidity untouched
  assert.equal(text(out[3]), inputs[3].payload); // byte for byte
  assert.equal(text(out[4]), inputs[4].payload); // already Fahrenheit
  assert.equal(text(out[5]), 'not json');
  for (const m of out.slice(0, 5)) {
    assert.equal(m.topic, 'sensors');
    assert.equal(m.contentType, 'application/json');
    assert.deepEqual(props(m), [['site', 'plant-1']]);
    assert.deepEqual(m.timestamp, { physical: 1_735_689_600_000, counter: 3, node: 1 });
  }
});

test('filter drops temperatures outside the default bounds (-40..3422 °C) and keeps the rest', async () => {
  const { op, host } = await openOperator('temperature', 'filter');
  assert.equal(refusal(op), null);
  const keep = flags(op.decide(batchOf([reading('a', -40), reading('b', -40.5), reading('c', 3422), reading('d', 3423), reading('e', 20), reading('h', 5000, '%', 'humidity'), reading('f', 212, 'F'), reading('g', -50, 'F')])));
  assert.deepEqual(keep, [true, false, true, false, true, true, true, false]);
  const dropped = host.metrics.filter((m) => m.name === 'temperature_out_of_bounds');
  assert.equal(dropped.length, 3);
  for (const m of dropped) assert.deepEqual([m.kind, m.operation, m.value], ['counter', 'test/filter', 1]);
});

test('filter bounds come from temperature_lower_bound / temperature_upper_bound', async () => {
  const { op, host } = await openOperator('temperature', 'filter', { operation: 'module-temperature/filter' });
  assert.equal(refusal(op, { temperature_lower_bound: '0', temperature_upper_bound: '30.5' }), null);
  assert.deepEqual(flags(op.decide(batchOf([reading('a', -0.1), reading('b', 0), reading('c', 30.5), reading('d', 30.6), reading('e', 86, 'F')]))), [false, true, true, false, true]);
  // the module names its operation (from graph_init) in the line itself
  assert.ok(host.logs.some((l) => l.level === 2 && l.operation === 'module-temperature/filter' && l.message.includes('module-temperature/filter') && l.message.includes('0..30.5')));
});

test('init refuses bounds that are not numbers, with a message', async () => {
  const g = await openOperator('temperature', 'filter');
  assert.equal(refusal(g.op, { temperature_lower_bound: 'cold' }), 'temperature_lower_bound is not a number: "cold"');
  const h = await openOperator('temperature', 'filter');
  assert.equal(refusal(h.op, { temperature_upper_bound: '12abc' }), 'temperature_upper_bound is not a number: "12abc"');
  const k = await openOperator('temperature', 'filter');
  assert.match(refusal(k.op, { temperature_lower_bound: '50', temperature_upper_bound: '10' })!, /above temperature_upper_bound/);
});

test('branch routes temperature readings to True and everything else to False', async () => {
  const { op } = await openOperator('temperature', 'branch');
  assert.deepEqual(flags(op.decide(batchOf([reading('t', 20), reading('h', 40, '%', 'humidity'), { payload: 'garbage' }, { payload: '{"type":"temperature"}' }, { payload: '{"note":"temperature"}' }]))), [true, false, false, true, false]);
});

test('accumulate reports min, max, average and count of the window', async () => {
  const { op } = await openOperator('temperature', 'accumulate');
  const values = [70.7, 68.2, 75.1, 71];
  const out = accumulated(op.accumulate(batchOf([...values.map((v, i) => reading(`temp-0${i}`, v, 'F')), reading('h', 50, '%', 'humidity')])));
  const json = JSON.parse(text(out));
  assert.deepEqual(json, { type: 'temperature', unit: 'F', count: 4, min: 68.2, max: 75.1, average: Math.round((values.reduce((a, b) => a + b) / 4) * 100) / 100 });
  assert.equal(json.average, 71.25);
  assert.equal(out.contentType, 'application/json');
  assert.equal(out.topic, 'sensors');
});

test('a map over a malformed batch fails the call with a message instead of trapping', async () => {
  const { op } = await openOperator('temperature', 'map');
  // One message whose size (200) runs past the batch: MessageBatch's constructor trusts its
  // arguments, so the bytes reach the module as a broken producer would send them.
  const bytes = Buffer.from([1, 0, 0, 0, 200, 0, 0, 0]);
  const malformed = new MessageBatch(bytes, 1, new Uint32Array([4, bytes.length]));
  assert.throws(() => op.map(malformed), (err: unknown) => {
    assert.ok(err instanceof GraphOperatorError);
    assert.equal(err.failure, 'failed'); // a negative return with a message, not a trap
    assert.match(err.message, /malformed input batch/);
    return true;
  });
});
