// The broker's graph runner with hand-written WAT operators (packages/dataflow/test): a graph
// applied through the controller runs per source partition, module logs and metrics reach the
// broker's log and /metrics, a trapping module fails its graph (status says why) while the broker
// keeps serving, and a graph resumes after a clean restart without writing anything twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import {
  encodeBatch, forEachBatch, RecordCursor, batchBaseOffset, batchFirstTimestamp,
} from '@eddy/protocol';
import { recordsSection } from '@eddy/protocol/internal';
import { startBroker, type Broker } from '../src/mod.ts';
import { GREEDY_MAP_WAT, IDENTITY_MAP_WAT, LOOP_MAP_WAT, OBSERVED_MAP_WAT, ODD_WAT, TRAP_MAP_WAT, wat2wasm } from '../../dataflow/test/wat_operators.ts';
import { eventually } from './helpers.ts';
import { graphYaml, type ConnectionRow, type OperationRow } from '../../dataflow/test/graph_yaml.ts';

const definition = (ops: OperationRow[], conns: ConnectionRow[]) => graphYaml('t', ops, conns);

const OBSERVED = definition(
  [['source', 'source'], ['map', 'observe', 'observed:1.0.0'], ['filter', 'odd', 'odd:1.0.0'], ['sink', 'sink']],
  [['source', 'observe'], ['observe', 'odd'], ['odd', 'sink']],
);

async function sinkValues(b: Broker, topic: string, partition: number): Promise<string[]> {
  const log = b.spu.requireLeader(topic, partition).log;
  const out: string[] = [];
  let offset = log.logStartOffset;
  const cursor = new RecordCursor();
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    forEachBatch(r.data, (pos) => {
      cursor.reset(recordsSection(r.data, pos), batchBaseOffset(r.data, pos), batchFirstTimestamp(r.data, pos));
      while (cursor.next()) out.push(cursor.value().toString());
    });
    offset = r.nextOffset;
  }
  return out;
}

async function produce(b: Broker, topic: string, partition: number, values: string[], t0: number): Promise<void> {
  await b.spu.requireLeader(topic, partition).append(encodeBatch(values.map((v, i) => ({ value: Buffer.from(v), timestamp: t0 + i }))), false);
}

test('graph runner: per-partition instances, module logs and metrics, restart without duplicates', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-graph-runner-'));
  let logText = '';
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { logText += chunk.toString(); cb(); } }));
  const start = () => startBroker({ dataDir, port: 0, metricsPort: 0, logger, graphCheckpointMs: 50 });
  let b = await start();
  try {
    await b.controller.createTopic('in', { partitions: 2 });
    await b.controller.createTopic('out', { partitions: 2 });
    await b.controller.createSmartModule('observed', '1.0.0', '', wat2wasm(OBSERVED_MAP_WAT));
    await b.controller.createSmartModule('odd', '1.0.0', '', wat2wasm(ODD_WAT));
    await b.controller.graphs.apply({ name: 'obs', definition: OBSERVED, sources: ['in'], sink: 'out', params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null, createdMs: 0 }, 'obs.yaml', false);
    await produce(b, 'in', 0, ['a1', 'b1', 'c1'], 1000); // a, c odd → kept
    await produce(b, 'in', 1, ['e2', 'f2'], 1000);
    await eventually(async () => (await sinkValues(b, 'out', 0)).length === 2 && (await sinkValues(b, 'out', 1)).length === 1, 10_000, 'graph outputs');
    assert.deepEqual(await sinkValues(b, 'out', 0), ['a1', 'c1']);
    assert.deepEqual(await sinkValues(b, 'out', 1), ['e2']);
    const status = b.graphs!.status('obs')!;
    assert.equal(status.state, 'running');
    assert.equal(status.instances.length, 2);
    const op = (name: string) => status.operators.find((o) => o.name === name)!;
    assert.deepEqual([op('odd').recordsIn, op('odd').recordsOut], [5, 3]);
    const metrics = await b.metrics.registry.metrics();
    assert.match(metrics, /eddy_graph_module_mapped_total\{[^}]*graph="obs"[^}]*operation="observe"[^}]*kind="test"[^}]*\} 5/);
    assert.match(metrics, /eddy_graph_operation_records_out\{graph="obs",operation="odd"\} 3/);
    assert.match(metrics, /eddy_graph_up\{graph="obs"\} 1/);
    await eventually(() => /"graph":"obs","operation":"observe".*"msg":"mapped"/.test(logText), 5000, 'module log line');

    // Clean restart: the graph resumes from its checkpoint; new input only produces new output.
    await b.close();
    b = await start();
    await produce(b, 'in', 0, ['g1', 'h1'], 2000); // g odd, h even
    await eventually(async () => (await sinkValues(b, 'out', 0)).length === 3, 10_000, 'output after restart');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await sinkValues(b, 'out', 0), ['a1', 'c1', 'g1']);
    assert.deepEqual(await sinkValues(b, 'out', 1), ['e2']);
  } finally {
    await b.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a trapping module fails its graph with a clear status; the broker and other graphs keep running', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-graph-runner-'));
  const b = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
  try {
    await b.controller.createTopic('in', { partitions: 1 });
    await b.controller.createTopic('out', { partitions: 1 });
    await b.controller.createTopic('out2', { partitions: 1 });
    await b.controller.createSmartModule('trap', '1.0.0', '', wat2wasm(TRAP_MAP_WAT));
    await b.controller.createSmartModule('id', '1.0.0', '', wat2wasm(IDENTITY_MAP_WAT));
    const spec = (name: string, module: string, sink: string) => ({
      name, definition: definition([['source', 'source'], ['map', 'm', module], ['sink', 'sink']], [['source', 'm'], ['m', 'sink']]),
      sources: ['in'], sink, params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null, createdMs: 0,
    });
    await b.controller.graphs.apply(spec('bad', 'trap:1.0.0', 'out'), 'bad.yaml', false);
    await b.controller.graphs.apply(spec('good', 'id:1.0.0', 'out2'), 'good.yaml', false);
    await produce(b, 'in', 0, ['x', 'y'], 1000);
    await eventually(() => b.graphs!.status('bad')?.state === 'failed', 10_000, 'bad graph failed');
    const bad = b.graphs!.status('bad')!;
    assert.match(bad.error ?? '', /instance 0: operation "m" trapped in graph_map/);
    assert.equal(bad.instances[0].state, 'failed');
    await eventually(async () => (await sinkValues(b, 'out2', 0)).length === 2, 10_000, 'good graph output');
    assert.deepEqual(await sinkValues(b, 'out', 0), []);
    assert.equal(b.graphs!.status('good')!.state, 'running');
  } finally {
    await b.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('late messages go to the late topic and are counted; on time ones flow on', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-graph-runner-'));
  const b = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
  try {
    for (const t of ['in', 'out', 'late']) await b.controller.createTopic(t, { partitions: 1 });
    await b.controller.createSmartModule('id', '1.0.0', '', wat2wasm(IDENTITY_MAP_WAT));
    await b.controller.graphs.apply({
      name: 'lt', definition: definition([['source', 'source'], ['map', 'm', 'id:1.0.0'], ['sink', 'sink']], [['source', 'm'], ['m', 'sink']]),
      sources: ['in'], sink: 'out', params: {}, state: {}, allowedLatenessMs: 100, lateTopic: 'late', createdMs: 0,
    }, 'lt.yaml', false);
    const leader = b.spu.requireLeader('in', 0);
    await leader.append(encodeBatch([
      { value: Buffer.from('t1000'), timestamp: 1000 },
      { value: Buffer.from('t2000'), timestamp: 2000 }, // frontier 1900
      { value: Buffer.from('t1950'), timestamp: 1950 }, // within the lateness
      { value: Buffer.from('t1500'), timestamp: 1500 }, // late
    ]), false);
    await eventually(async () => (await sinkValues(b, 'late', 0)).length === 1 && (await sinkValues(b, 'out', 0)).length === 3, 10_000, 'outputs');
    assert.deepEqual(await sinkValues(b, 'out', 0), ['t1000', 't2000', 't1950']);
    assert.deepEqual(await sinkValues(b, 'late', 0), ['t1500']);
    assert.equal(b.graphs!.status('lt')!.instances[0].lateMessages, 1);
  } finally {
    await b.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('sandbox: a module past its time budget or its memory cap fails its graph, not the broker', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-graph-runner-'));
  const b = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' }, graphStepBudgetMs: 500 });
  try {
    for (const t of ['in', 'out1', 'out2', 'out3']) await b.controller.createTopic(t, { partitions: 1 });
    await b.controller.createSmartModule('loop', '1.0.0', '', wat2wasm(LOOP_MAP_WAT));
    await b.controller.createSmartModule('greedy', '1.0.0', '', wat2wasm(GREEDY_MAP_WAT));
    await b.controller.createSmartModule('id', '1.0.0', '', wat2wasm(IDENTITY_MAP_WAT));
    const spec = (name: string, module: string, sink: string) => ({
      name, definition: definition([['source', 'source'], ['map', 'm', module], ['sink', 'sink']], [['source', 'm'], ['m', 'sink']]),
      sources: ['in'], sink, params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null, createdMs: 0,
    });
    await b.controller.graphs.apply(spec('looping', 'loop:1.0.0', 'out1'), 'looping.yaml', false);
    await b.controller.graphs.apply(spec('greedy', 'greedy:1.0.0', 'out2'), 'greedy.yaml', false);
    await b.controller.graphs.apply(spec('fine', 'id:1.0.0', 'out3'), 'fine.yaml', false);
    await produce(b, 'in', 0, ['x'], 1000);
    await eventually(() => b.graphs!.status('looping')?.state === 'failed' && b.graphs!.status('greedy')?.state === 'failed', 10_000, 'both failed');
    assert.match(b.graphs!.status('looping')!.error ?? '', /ran past its time budget of 500 ms/);
    assert.match(b.graphs!.status('greedy')!.error ?? '', /operation "m" trapped in graph_map/);
    await eventually(async () => (await sinkValues(b, 'out3', 0)).length === 1, 10_000, 'the other graph still runs');
    // The broker still serves: a new topic and an append work.
    await b.controller.createTopic('after', { partitions: 1 });
    await produce(b, 'after', 0, ['ok'], 1);
    assert.deepEqual(await sinkValues(b, 'after', 0), ['ok']);
  } finally {
    await b.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
