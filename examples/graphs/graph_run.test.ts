// The example graphs through @eddy/dataflow's runtime (runGraphTest, what `eddy graph test` runs)
// on data/sensors.jsonl: the sink output equals the committed expected files, and, independent of
// those files, agrees with summaries computed here from the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTestMessages, runGraphTest, type TestMessage, type TestOutput } from '@eddy/dataflow';
import { partitionForKey } from '@eddy/client';
import { GRAPHS_DIR, moduleNames, moduleWasm } from './build.ts';
import { MODULE_VERSION } from './harness.ts';
import type { Reading } from './data/generate.ts';

const DATA = path.join(GRAPHS_DIR, 'data');
const INPUT_FILE = path.join(DATA, 'sensors.jsonl');
const PARTITIONS = 3;
const WINDOW_MS = 10_000;
const LOWER_C = -40; // graph-complex.yaml's filter bounds (defaults)
const UPPER_C = 3422;

const readings = (): Reading[] => readFileSync(INPUT_FILE, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Reading);
const input = (): TestMessage[] => parseTestMessages(readFileSync(INPUT_FILE, 'utf8'), INPUT_FILE, { timestampField: 'time' });
const partitionOf = (sensor: string) => partitionForKey(Buffer.from(sensor), PARTITIONS);
const fahrenheit = (c: number) => c * 9 / 5 + 32;

async function modules(): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const name of moduleNames()) out.set(`${name}:${MODULE_VERSION}`, await moduleWasm(name));
  return out;
}

function run(graph: string, messages: TestMessage[], extra: { state?: Record<string, string>; allowedLatenessMs?: number } = {}) {
  const file = path.join(GRAPHS_DIR, graph);
  return modules().then((m) => runGraphTest({ definition: readFileSync(file, 'utf8'), file, modules: m, input: messages, ...extra }));
}

function expected(file: string): unknown[] {
  return readFileSync(path.join(DATA, file), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/** As `graph test` prints them (fields absent rather than undefined). */
const asJson = (outputs: TestOutput[]) => JSON.parse(JSON.stringify(outputs)) as unknown[];

test('graph-simple.yaml: every reading reaches the sink, temperatures in °F, in input order', async () => {
  const r = await run('graph-simple.yaml', input());
  assert.deepEqual(asJson(r.outputs), expected('expected-simple.jsonl'));

  const source = readings();
  assert.equal(r.outputs.length, source.length);
  assert.equal(r.lateMessages, 0);
  r.outputs.forEach((out, i) => {
    const reading = source[i];
    const payload = out.payload as Record<string, unknown>;
    assert.equal(out.timestamp, Date.parse(reading.time), `output ${i}: event time kept`);
    assert.equal(payload.sensor_id, reading.sensor_id);
    if (reading.type === 'temperature') {
      assert.equal(payload.unit, 'F');
      assert.equal(payload.original_celsius, reading.value);
      assert.ok(Math.abs((payload.value as number) - fahrenheit(reading.value)) < 1e-9, `output ${i}: ${reading.value} °C is ${payload.value} °F`);
    } else {
      assert.deepEqual(payload, reading, `output ${i}: humidity passes unchanged`);
    }
  });
  // no filter in this graph: the glitches come through, converted
  assert.ok(r.outputs.some((o) => (o.payload as Reading).value === 9032));
  assert.ok(r.outputs.some((o) => (o.payload as Reading).value === -76));
});

interface Summary {
  unit: string;
  count: number;
  min: number;
  max: number;
  average: number;
}

/** Per partition, per window end: the temperature (°F, filtered) and humidity summaries. */
function summarise(source: Reading[]): Map<string, { temperature?: Summary; humidity?: Summary }> {
  const values = new Map<string, { temperature: number[]; humidity: number[] }>();
  for (const r of source) {
    if (r.type === 'temperature' && (r.value < LOWER_C || r.value > UPPER_C)) continue;
    const end = (Math.floor(Date.parse(r.time) / WINDOW_MS) + 1) * WINDOW_MS;
    const key = `${partitionOf(r.sensor_id)}@${end}`;
    let v = values.get(key);
    if (!v) values.set(key, (v = { temperature: [], humidity: [] }));
    v[r.type].push(r.type === 'temperature' ? fahrenheit(r.value) : r.value);
  }
  const summary = (unit: string, xs: number[]): Summary | undefined =>
    xs.length === 0 ? undefined : { unit, count: xs.length, min: Math.min(...xs), max: Math.max(...xs), average: xs.reduce((a, b) => a + b) / xs.length };
  return new Map([...values].map(([k, v]) => [k, { temperature: summary('F', v.temperature), humidity: summary('%', v.humidity) }]));
}

test('graph-complex.yaml over 3 partitions: one document per partition and 10-second window, matching the input', async () => {
  const messages = input();
  for (const m of messages) m.partition = partitionOf((m.payload as Reading).sensor_id);
  const r = await run('graph-complex.yaml', messages, { state: { factory: 'north' }, allowedLatenessMs: 2000 });
  assert.deepEqual(asJson(r.outputs), expected('expected-complex.jsonl'));

  // Independent of the expected file: recompute every summary from the input.
  const source = readings();
  const want = summarise(source);
  assert.equal(r.lateMessages, 0);
  assert.equal(r.outputs.length, want.size);
  const seen = new Set<string>();
  const countsPerPartition = new Map<number, number>();
  for (const out of r.outputs) {
    const doc = out.payload as { window_end: string; temperature?: Summary; humidity?: Summary; enrichment: unknown };
    assert.equal(out.timestamp % WINDOW_MS, 0, 'a window ends on a 10-second boundary');
    assert.equal(doc.window_end, new Date(out.timestamp).toISOString());
    assert.deepEqual(doc.enrichment, { factory: 'north', line: null });
    const key = `${out.partition}@${out.timestamp}`;
    assert.ok(!seen.has(key), `one document for ${key}`);
    seen.add(key);
    const w = want.get(key);
    assert.ok(w, `a window ${key} the input has`);
    for (const type of ['temperature', 'humidity'] as const) {
      const got: Summary | undefined = doc[type];
      const exp: Summary | undefined = w[type];
      assert.equal(got === undefined, exp === undefined, `${key}: ${type} present iff the window has ${type} readings`);
      if (got === undefined || exp === undefined) continue;
      assert.equal(got.unit, exp.unit);
      assert.equal(got.count, exp.count, `${key}: ${type} count`);
      assert.ok(Math.abs(got.min - exp.min) < 1e-9 && Math.abs(got.max - exp.max) < 1e-9, `${key}: ${type} min/max`);
      assert.ok(Math.abs(got.average - exp.average) <= 0.005 + 1e-9, `${key}: ${type} average ${got.average} vs ${exp.average}`);
      countsPerPartition.set(out.partition, (countsPerPartition.get(out.partition) ?? 0) + got.count);
    }
    // the filtered glitches (5000 °C = 9032 °F, -60 °C = -76 °F) are in no summary
    if (doc.temperature) assert.ok(doc.temperature.max < fahrenheit(100) && doc.temperature.min > fahrenheit(LOWER_C), `${key}: no extremes`);
  }
  // every reading is counted once, in its own partition, except the two the filter drops
  for (let p = 0; p < PARTITIONS; p++) {
    const inPartition = source.filter((s) => partitionOf(s.sensor_id) === p);
    const dropped = inPartition.filter((s) => s.type === 'temperature' && (s.value < LOWER_C || s.value > UPPER_C)).length;
    assert.equal(countsPerPartition.get(p) ?? 0, inPartition.length - dropped, `partition ${p}`);
  }
  assert.equal(source.length - [...countsPerPartition.values()].reduce((a, b) => a + b), 2, 'two readings dropped');
  assert.deepEqual(new Set(r.outputs.map((o) => o.timestamp)).size, 6, 'six windows');
});
