// Expected values follow Azure's temperature sample as documented and written: °F → °C by
// (v − 32) · 5 / 9, filter bounds strictly between -40 and 3422 °C by default, summaries with
// full precision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphOperatorError, MessageBatch } from '@eddy/dataflow';
import { accumulated, batchOf, compiledModule, exportNames, flags, openOperator, props, refusal, text } from '../../harness.ts';

const T = { physical: 1_735_689_600_000n * 1_000_000n, counter: 3, node: 1 }; // ns
const msg = (payload: unknown, timestamp: typeof T | number = T) => ({
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  topic: 'sensors',
  contentType: 'application/json',
  properties: { site: 'plant-1' },
  timestamp,
});
const temperature = (value: number, unit = 'F') => msg({ temperature: { value, unit } });
const humidity = (value: number) => msg({ humidity: { value } });

test('temperature exports every operator and init', async () => {
  const module = await compiledModule('temperature');
  const exports = exportNames(module);
  for (const e of ['graph_abi_version', 'graph_init', 'graph_map', 'graph_filter', 'graph_branch', 'graph_accumulate', 'alloc', 'dealloc', 'memory']) {
    assert.ok(exports.includes(e), e);
  }
  assert.equal(exports.includes('graph_delay'), false);
  assert.deepEqual([...module.provides].sort(), ['accumulate', 'branch', 'filter', 'map']);
});

test('map converts °F to °C into the full temperature document; °C and other readings pass byte for byte', async () => {
  const { op } = await openOperator('temperature', 'map');
  assert.equal(refusal(op), null);
  const inputs = [
    temperature(1209), temperature(32), temperature(-40),
    msg({ temperature: { value: 212, unit: 'F', count: 2, max: 5, overtemp: true, sensor: 'dropped' } }),
    temperature(21.5, 'C'), humidity(45),
  ];
  const out = op.map(batchOf(inputs)).decodeAll();
  const json = out.map((m) => JSON.parse(text(m)));
  const full = (value: number, more: Record<string, unknown> = {}) => ({
    temperature: { value, count: 0, max: 0, min: 0, average: 0, last: 0, unit: 'C', overtemp: false, ...more },
  });
  assert.deepEqual(json[0], full((1209 - 32) * 5 / 9));
  assert.equal(json[0].temperature.value, 653.8888888888889);
  assert.deepEqual(json[1], full(0));
  assert.deepEqual(json[2], full(-40));
  assert.deepEqual(json[3], full(100, { count: 2, max: 5, overtemp: true })); // known fields kept, unknown dropped
  assert.deepEqual(Object.keys(json[0].temperature), ['value', 'count', 'max', 'min', 'average', 'last', 'unit', 'overtemp']);
  assert.equal(text(out[4]), inputs[4].payload);
  assert.equal(text(out[5]), inputs[5].payload);
  for (const m of out) {
    assert.equal(m.topic, 'sensors');
    assert.equal(m.contentType, 'application/json');
    assert.deepEqual(props(m), [['site', 'plant-1']]);
    assert.deepEqual(m.timestamp, T);
  }
});

test('map fails on a payload that is not a measurement, as Azure\'s returns an error', async () => {
  for (const bad of ['not json', '{"type":"temperature","value":1}', '{"temperature":{"value":1}}', '{"temperature":{"value":1,"unit":"K"}}', '{"temperature":{"value":1,"unit":"F"},"x":1}']) {
    const { op } = await openOperator('temperature', 'map');
    op.init({});
    assert.throws(() => op.map(batchOf([msg(bad)])), (err: unknown) => err instanceof GraphOperatorError && /Failed to parse payload as JSON/.test(err.message), bad);
  }
});

test('filter keeps Celsius temperatures strictly inside the default bounds (-40, 3422) and drops the rest', async () => {
  const { op } = await openOperator('temperature', 'filter');
  assert.equal(refusal(op), null);
  const keep = flags(op.decide(batchOf([
    temperature(-40, 'C'), temperature(-39.9, 'C'), temperature(3421.9, 'C'), temperature(3422, 'C'), temperature(20, 'C'),
    temperature(20, 'F'), humidity(50),
  ])));
  assert.deepEqual(keep, [false, true, true, false, true, false, false]);
});

test('filter bounds come from the parameters; one that is not a number is logged and the default kept', async () => {
  const { op, host } = await openOperator('temperature', 'filter', { operation: 'module-temperature/filter' });
  assert.equal(refusal(op, { temperature_lower_bound: '0', temperature_upper_bound: '30.5' }), null);
  assert.deepEqual(flags(op.decide(batchOf([temperature(0, 'C'), temperature(0.1, 'C'), temperature(30.4, 'C'), temperature(30.5, 'C')]))), [false, true, true, false]);
  const g = await openOperator('temperature', 'filter', { operation: 'module-temperature/filter' });
  assert.equal(refusal(g.op, { temperature_lower_bound: 'cold', temperature_upper_bound: ' 5' }), null);
  assert.deepEqual(flags(g.op.decide(batchOf([temperature(-39, 'C'), temperature(3421, 'C'), temperature(-41, 'C')]))), [true, true, false]);
  assert.ok(g.host.logs.some((l) => l.level === 4 && l.message.includes('Failed to parse lower bound value: cold')));
  assert.ok(g.host.logs.some((l) => l.level === 4 && l.message.includes('Failed to parse upper bound value:  5')));
  assert.ok(host.logs.some((l) => l.message.includes('Lower bound set to 0')));
});

test('branch routes temperature measurements to True and humidity, object and sensor_data to False', async () => {
  const { op } = await openOperator('temperature', 'branch');
  op.init({});
  assert.deepEqual(flags(op.decide(batchOf([
    temperature(20), humidity(40), msg({ object: { result: 'laptop' } }), msg({ sensor_data: {} }), temperature(20, 'C'),
  ]))), [true, false, false, false, true]);
  assert.throws(() => op.decide(batchOf([msg('garbage')])), GraphOperatorError);
});

test('accumulate: count, max, min, average (full precision), last and unit of the window', async () => {
  const { op } = await openOperator('temperature', 'accumulate');
  op.init({});
  const values = [20.1, 25.7, 19.5];
  const out = accumulated(op.accumulate(batchOf(values.map((v) => temperature(v, 'C')))));
  const json = JSON.parse(text(out));
  const sum = 20.1 + 25.7 + 19.5;
  assert.deepEqual(json, { temperature: { count: 3, max: 25.7, min: 19.5, average: sum / 3, last: 19.5, unit: 'C' } });
  assert.notEqual(json.temperature.average, Math.round((sum / 3) * 100) / 100); // not rounded
  assert.equal(out.topic, 'sensors');
  assert.deepEqual(props(out), []);
  assert.throws(() => op.accumulate(batchOf([temperature(1, 'C'), humidity(2)])), /Unexpected measurement type/);
});

test('a map over a malformed batch fails the call with a message instead of trapping', async () => {
  const { op } = await openOperator('temperature', 'map');
  const bytes = Buffer.from([1, 0, 0, 0, 200, 0, 0, 0]);
  const malformed = new MessageBatch(bytes, 1, new Uint32Array([4, bytes.length]));
  assert.throws(() => op.map(malformed), (err: unknown) => {
    assert.ok(err instanceof GraphOperatorError);
    assert.equal(err.failure, 'failed');
    assert.match(err.message, /malformed input batch/);
    return true;
  });
});
