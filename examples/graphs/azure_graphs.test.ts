// Azure IoT Operations' own sample graphs (azure/*.yaml, unmodified) on Eddy's builds of their
// operators, through runGraphTest (what `eddy graph test` runs). Every expected value below is
// worked out here from the operators' documented rules, not taken from a run:
//   °F → °C by (v − 32) · 5 / 9; the filter keeps Celsius values strictly inside (-40, 3422);
//   windows are (k·10 s − 10 s, k·10 s]; summaries are count, max, min, average (full precision),
//   last, unit; enrichment sets overtemp when max > 100, clears it when min < 0, else keeps an
//   earlier alert from the state store, and drops each summary's "value".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runGraphTest, type TestMessage } from '@eddy/dataflow';
import { GRAPHS_DIR, moduleNames, moduleWasm } from './build.ts';
import { MODULE_VERSION } from './harness.ts';

const AZURE = path.join(GRAPHS_DIR, 'azure');
const toC = (f: number) => (f - 32) * 5 / 9;

async function modules(): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const name of moduleNames()) out.set(`${name}:${MODULE_VERSION}`, await moduleWasm(name));
  return out;
}

async function run(file: string, input: TestMessage[], state: Record<string, string> = {}) {
  const definition = readFileSync(path.join(AZURE, file), 'utf8');
  return runGraphTest({ definition, file, modules: await modules(), input, state });
}

const at = (iso: string, payload: unknown): TestMessage => ({ timestamp: iso, payload, topic: 'sensors', contentType: 'application/json' });
const temperature = (iso: string, value: number, unit = 'F') => at(iso, { temperature: { value, unit } });
const humidity = (iso: string, value: number) => at(iso, { humidity: { value } });

test('azure/graph-simple.yaml: °F readings come out in °C as Azure\'s full document; others unchanged', async () => {
  const r = await run('graph-simple.yaml', [
    temperature('2025-06-01T22:10:00.000Z', 1209),
    temperature('2025-06-01T22:10:01.000Z', 21.5, 'C'),
    humidity('2025-06-01T22:10:02.000Z', 85),
  ]);
  assert.equal(r.outputs.length, 3);
  assert.deepEqual(r.outputs[0].payload, {
    temperature: { value: toC(1209), count: 0, max: 0, min: 0, average: 0, last: 0, unit: 'C', overtemp: false },
  });
  assert.equal(toC(1209), 653.8888888888889); // Azure's t01 expected value
  assert.deepEqual(r.outputs[1].payload, { temperature: { value: 21.5, unit: 'C' } });
  assert.deepEqual(r.outputs[2].payload, { humidity: { value: 85 } });
  assert.deepEqual(r.outputs.map((o) => o.timestamp), ['2025-06-01T22:10:00.000000000Z', '2025-06-01T22:10:01.000000000Z', '2025-06-01T22:10:02.000000000Z']);
});

test('azure/graph-complex.yaml: one enriched sensor_data document per 10-second window, as Azure\'s rules give', async () => {
  const input = [
    temperature('2025-06-01T22:10:00.000Z', 212), // 100 °C, on a boundary: window ending 22:10:00
    temperature('2025-06-01T22:10:05.000Z', 1209), // 653.88… °C: window ending 22:10:10
    humidity('2025-06-01T22:10:06.000Z', 85),
    temperature('2025-06-01T22:10:07.500Z', 50), // 10 °C
    humidity('2025-06-01T22:10:08.000Z', 60),
    temperature('2025-06-01T22:10:09.000Z', 9000), // 4982.2 °C: above 3422, filtered out
    temperature('2025-06-01T22:10:09.500Z', -40), // exactly -40 °C: not strictly inside, filtered out
    temperature('2025-06-01T22:10:12.000Z', 14), // -10 °C: window ending 22:10:20
    humidity('2025-06-01T22:10:20.000Z', 50), // on a boundary: still window ending 22:10:20
    humidity('2025-06-01T22:11:00.000Z', 10), // moves the frontier past 22:10:20
  ];
  const r = await run('graph-complex.yaml', input);
  const windows = r.outputs.filter((o) => o.timestamp <= '2025-06-01T22:10:20.000000000Z');
  assert.deepEqual(windows.map((o) => o.timestamp), ['2025-06-01T22:10:00.000000000Z', '2025-06-01T22:10:10.000000000Z', '2025-06-01T22:10:20.000000000Z']);
  for (const o of windows) assert.equal(o.topic, 'sensors');

  const summary = (values: number[], extra: Record<string, unknown>) => ({
    count: values.length, max: Math.max(...values), min: Math.min(...values),
    average: values.reduce((a, b) => a + b, 0) / values.length, last: values[values.length - 1], ...extra,
  });
  // 22:10:00: 100 °C is not above 100, nothing recorded before: overtemp false
  assert.deepEqual(windows[0].payload, {
    temperature: [summary([toC(212)], { unit: 'C', overtemp: false })], humidity: [], object: [],
  });
  // 22:10:10: max 653.88… > 100 → overtemp; humidity 85 and 60
  assert.deepEqual(windows[1].payload, {
    temperature: [summary([toC(1209), toC(50)], { unit: 'C', overtemp: true })],
    humidity: [summary([85, 60], {})],
    object: [],
  });
  // 22:10:20: min -10 < 0 clears the alert
  assert.deepEqual(windows[2].payload, {
    temperature: [summary([toC(14)], { unit: 'C', overtemp: false })],
    humidity: [summary([50], {})],
    object: [],
  });
});

test('azure/graph-complex.yaml: readings at 22:10:00.000 and 22:10:05.000 give two windows, ending at :00 and :10', async () => {
  const r = await run('graph-complex.yaml', [
    temperature('2025-06-01T22:10:00.000Z', 68),
    temperature('2025-06-01T22:10:05.000Z', 86),
    humidity('2025-06-01T22:11:00.000Z', 1),
  ]);
  const windows = r.outputs.filter((o) => o.timestamp < '2025-06-01T22:11:00.000000000Z');
  assert.deepEqual(windows.map((o) => o.timestamp), ['2025-06-01T22:10:00.000000000Z', '2025-06-01T22:10:10.000000000Z']);
  assert.equal((windows[0].payload as { temperature: { max: number }[] }).temperature[0].max, 20);
  assert.equal((windows[1].payload as { temperature: { max: number }[] }).temperature[0].max, 30);
});
