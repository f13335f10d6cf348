// `eddy bench graph` end to end on a real broker process, with a few thousand records: the report's
// shape and counts (never a speed), and that it cleans up after itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { eddy, ok, oneLineError, tempHome } from './helpers.ts';
import { expectedOutputs } from '../src/bench/graph.ts';

const home = tempHome();
const run = (args: string[]) => eddy(args, { home, timeoutMs: 120_000 });

after(async () => {
  await run(['cluster', 'stop']);
  fs.rmSync(home, { recursive: true, force: true });
});

test('expected outputs: 9 of every 10 readings pass the filter', () => {
  assert.equal(expectedOutputs(10), 9);
  assert.equal(expectedOutputs(9), 9);
  assert.equal(expectedOutputs(25_013), 25_013 - 2_501);
});

test('bench graph: plain and graph figures, every expected output in the sink, topics and graph removed', async () => {
  ok(await run(['cluster', 'start', '--port', '0', '--metrics-port', '0']));
  const records = 3_001;
  const r = ok(await run(['bench', 'graph', '--records', String(records), '--partitions', '2', '-O', 'json']));
  const report = JSON.parse(r.stdout);
  assert.equal(report.mode, 'graph');
  assert.equal(report.records, records);
  assert.equal(report.expectedOutput, 2_701);
  assert.equal(report.plain.records, records);
  assert.equal(report.graphRun.records, records);
  assert.equal(report.graphRun.sinkRecords, 2_701);
  assert.ok(report.graphRun.seconds > 0 && report.graphRun.recordsPerSec > 0 && report.ratio > 0);
  assert.equal(report.module.ref, 'bench:1.0.0');
  const ops = Object.fromEntries(report.graphRun.operations.map((o: { name: string }) => [o.name, o]));
  assert.deepEqual(Object.keys(ops).sort(), ['bench/by-id', 'bench/double', 'bench/ok', 'bench/second', 'bench/upper', 'sink', 'source']);
  assert.equal(ops.source.recordsIn, records);
  assert.equal(ops['bench/ok'].recordsOut, 2_701);
  assert.equal(ops['bench/by-id'].recordsIn, 2_701);
  assert.ok(ops['bench/upper'].recordsIn > 0 && ops['bench/upper'].recordsIn < 2_701); // the True arm (id ending 0-7)
  assert.equal(ops.sink.recordsIn, 2_701);

  const topics = ok(await run(['topic', 'list', '-O', 'json'])).stdout;
  assert.ok(!topics.includes(report.sourceTopic) && !topics.includes(report.sinkTopic), topics);
  assert.doesNotMatch(ok(await run(['graph', 'list'])).stdout, new RegExp(report.graph));

  // the table rendering names both figures and the ratio
  const table = ok(await run(['bench', 'graph', '--records', '500'])).stdout;
  for (const label of ['plain', 'graph', 'ratio (graph/plain)', 'sink', '450 records (expected 450)']) assert.ok(table.includes(label), table);
});

test('bench graph: a record size too small for a reading is one clear error', async () => {
  const e = oneLineError(await run(['bench', 'graph', '--record-size', '20']));
  assert.match(e, /--record-size: a reading needs at least \d+ bytes, got 20/);
});
