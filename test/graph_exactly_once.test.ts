// Issue 5, done-when: the complex example graph deployed in a broker PROCESS, fed sensor readings
// keyed across 3 partitions in a shuffled arrival order, produces the same windowed results as
// the graph run in order in-process (`eddy graph test`'s engine); the broker is killed (-9)
// mid-run and restarted, and the sink still holds every result exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Offset, partitionForKey } from '@eddy/client';
import { parseNanosIso, runGraphTest, type TestMessage } from '@eddy/dataflow';

/** A `graph test` output time (ISO, ns) as a sink record's ms. */
const recordMs = (iso: string): number => Number(parseNanosIso(iso)! / 1_000_000n);
import { GRAPHS_DIR, moduleNames, moduleWasm } from '../examples/graphs/build.ts';
import { graphYaml } from '../packages/dataflow/test/graph_yaml.ts';
import { Cluster } from './graph_cluster.ts';
import { sensorReadings, type Reading } from '../examples/graphs/azure_readings.ts';

const LATENESS_MS = 3000;
const STATE = { factory: 'north', line: '3' };

/** A deterministic shuffle: each reading arrives up to LATENESS_MS/2 after its event time. */
function shuffled(readings: Reading[]): Reading[] {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return readings
    .map((r) => ({ r, at: Date.parse(r.time) + rand() * (LATENESS_MS / 2) }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.r);
}

test('complex graph: shuffled arrival over 3 partitions, kill -9 mid-run: same windows as in order, each exactly once', { timeout: 240_000 }, async () => {
  // Azure's graph, unmodified: its references (azure-samples/…/window:1.0.0) resolve to the
  // registry's window:1.0.0 and so on.
  const definition = readFileSync(join(GRAPHS_DIR, 'azure', 'graph-complex.yaml'), 'utf8');
  const modules = new Map<string, Uint8Array>();
  for (const name of moduleNames()) modules.set(`${name}:1.0.0`, await moduleWasm(name));
  const readings = sensorReadings();
  const start = Date.parse(readings[0].time);
  const end = Date.parse(readings[readings.length - 1].time);
  // One closing reading per partition, far past the data, moves every frontier past the last window.
  const closing = 60_000;
  const keys = ['temp-01', 'temp-02', 'temp-03', 'hum-01', 'hum-02'];
  const partitionOf = (key: string) => partitionForKey(Buffer.from(key), 3);

  // Expected: the graph run in event-time order, in-process, one instance per partition.
  const inOrder = [...readings].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const asTest = (r: Reading): TestMessage => ({ timestamp: r.time, payload: r.payload, contentType: 'application/json', topic: 'sensors', partition: partitionOf(r.sensor_id) });
  const expected = runGraphTest({ definition, modules, input: inOrder.map(asTest), state: STATE, allowedLatenessMs: LATENESS_MS })
    .outputs.filter((o) => recordMs(o.timestamp) <= end + 10_000);
  assert.ok(expected.length >= 6, `the example data gives windows (${expected.length})`);
  const partitionsUsed = new Set(expected.map((o) => o.partition));
  assert.ok(partitionsUsed.size >= 2, 'the readings spread over several partitions');

  const c = await new Cluster('eddy-graph-e2e-').start();
  try {
    const admin = c.eddy.admin();
    await admin.createTopic('sensors', { partitions: 3 });
    await admin.createTopic('summaries', { partitions: 3 });
    for (const [ref, wasm] of modules) {
      const [name, version] = ref.split(':');
      await admin.createSmartModule(name, wasm, { version });
    }
    await admin.applyGraph({ name: 'complex', definition, sources: ['sensors'], sink: 'summaries', params: {}, state: STATE, allowedLatenessMs: LATENESS_MS, lateTopic: null });

    const arrival = shuffled(readings);
    const third = Math.floor(arrival.length / 3);
    const send = async (list: Reading[]) => {
      const producer = await c.eddy.producer('sensors', { retries: 50, maxRetryBackoffMs: 200, lingerMs: 0 });
      // Small batches, so the graph sees many steps.
      for (let i = 0; i < list.length; i += 20) {
        await Promise.all(list.slice(i, i + 20).map((r) => producer.send(r.sensor_id, JSON.stringify(r.payload), {
          timestamp: Date.parse(r.time), headers: { 'content-type': 'application/json' },
        })));
      }
      await producer.close();
    };
    // 1) a third of the readings, then a clean stop: the graph checkpoints state and buffers.
    await send(arrival.slice(0, third));
    await c.waitFor('summaries', 1);
    await c.restart('SIGTERM');
    // 2) another third, results reach the sink, then kill -9. Each instance checkpoints after its
    // first sink write of a life and then only at a stop (interval 1 h here), so later writes of
    // this life are in the sink past their instance's checkpoint: the restart must skip them.
    // The third goes in four chunks, each given time to be processed, so an instance's windows
    // close in separate steps (separate sink writes) rather than all in its first.
    const before = await c.count('summaries');
    const chunk = Math.ceil(third / 4);
    for (let i = third; i < 2 * third; i += chunk) {
      await send(arrival.slice(i, Math.min(i + chunk, 2 * third)));
      await new Promise((r) => setTimeout(r, 400));
    }
    await c.waitFor('summaries', before + 4);
    await c.restart('SIGKILL');
    // 3) the rest, then one closing reading per sensor far past the data.
    await send(arrival.slice(2 * third));
    const producer = await c.eddy.producer('sensors');
    for (const key of keys) {
      await producer.send(key, JSON.stringify({ humidity: { value: 0 } }), { timestamp: end + closing });
    }
    await producer.close();

    // Read the sink until every expected window is there (and a little longer, to catch extras).
    const got: { partition: number; payload: unknown; timestamp: number }[] = [];
    const stream = c.eddy.consumer('summaries').stream(Offset.beginning());
    const timer = setTimeout(() => stream.return?.(), 60_000);
    for await (const r of stream) {
      got.push({ partition: r.partition, payload: JSON.parse(r.value.toString()), timestamp: r.timestamp });
      if (got.length >= expected.length) {
        await new Promise((res) => setTimeout(res, 1500));
        const extra = await c.count('summaries');
        assert.equal(extra, expected.length, 'no duplicate or extra results in the sink');
        break;
      }
    }
    clearTimeout(timer);
    const byPartition = (list: { partition: number; payload: unknown; timestamp: number }[]) =>
      [0, 1, 2].map((p) => list.filter((o) => o.partition === p).map((o) => JSON.stringify([o.timestamp, o.payload])));
    assert.deepEqual(byPartition(got), byPartition(expected.map((o) => ({ partition: o.partition, payload: o.payload, timestamp: recordMs(o.timestamp) }))));

    const status = await c.eddy.admin().describeGraph('complex');
    assert.equal(status.status?.state ?? 'running', 'running');
    // The restart after the kill replayed outputs that were already in the sink (and skipped them).
    const replayed = c.instanceStarts().map((s) => s.alreadyInSink);
    assert.ok(replayed.some((n) => n > 0), `a restart skipped outputs already in the sink (${replayed.join(',')})`);
    void start;
  } finally {
    await c.close();
  }
});

test('state store after kill -9: a counting operator numbers every message once, in order, across a clean stop and a crash', { timeout: 120_000 }, async () => {
  const { COUNTING_MAP_WAT, wat2wasm } = await import('../packages/dataflow/test/wat_operators.ts');
  const definition = graphYaml('counting', [['source', 'source'], ['map', 'count', 'counter:1.0.0'], ['sink', 'sink']], [['source', 'count'], ['count', 'sink']]);
  const c = await new Cluster('eddy-graph-state-').start();
  try {
    await c.eddy.admin().createTopic('events', { partitions: 1 });
    await c.eddy.admin().createTopic('numbered', { partitions: 1 });
    await c.eddy.admin().createSmartModule('counter', wat2wasm(COUNTING_MAP_WAT), { version: '1.0.0' });
    await c.eddy.admin().applyGraph({ name: 'counting', definition, sources: ['events'], sink: 'numbered', params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null });
    let sent = 0;
    const send = async (n: number) => {
      const producer = await c.eddy.producer('events', { retries: 50, maxRetryBackoffMs: 200, lingerMs: 0 });
      for (let i = 0; i < n; i += 10) {
        await Promise.all(Array.from({ length: 10 }, () => producer.send(null, `________ event ${++sent}`)));
      }
      await producer.close();
    };
    await send(100);
    await c.waitFor('numbered', 100);
    await c.restart('SIGTERM');
    await send(100);
    await c.waitFor('numbered', 200);
    await c.restart('SIGKILL');
    await send(100);
    await c.waitFor('numbered', 300);
    await new Promise((r) => setTimeout(r, 500));
    const values: string[] = [];
    for await (const r of c.eddy.consumer('numbered').stream(Offset.beginning())) {
      values.push(r.value.toString());
      if (values.length === 300) break;
    }
    assert.equal(await c.count('numbered'), 300, 'nothing written twice');
    assert.deepEqual(values, Array.from({ length: 300 }, (_, i) => `${String(i + 1).padStart(8, '0')} event ${i + 1}`));
  } finally {
    await c.close();
  }
});
