// The snapshot graph (graph-snapshot.yaml: window → format → snapshot map → snapshot accumulate)
// classifies frames with the shipped ONNX model through wasi-nn: in `eddy graph test` (in-process
// and the CLI) and deployed on a broker, frames arriving as records with snapshot headers. A
// model that fails to load and a frame of the wrong shape fail their graph with one clear line;
// the broker and other graphs keep running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeBatch, forEachBatch, RecordCursor, batchBaseOffset, batchFirstTimestamp } from '@eddy/protocol';
import { recordsSection } from '@eddy/protocol/internal';
import { parseNanosIso, runGraphTest, type TestMessage } from '@eddy/dataflow';
import { startBroker, type Broker } from '@eddy/broker';
import { LOAD_MODEL_MAP_WAT, wat2wasm } from '../../packages/dataflow/test/wat_operators.ts';
import { graphYaml } from '../../packages/dataflow/test/graph_yaml.ts';
import { GRAPHS_DIR, moduleWasm } from './build.ts';
import { BLUE, GREEN, RED, colourFrame } from './frames.ts';

const ROOT = path.resolve(GRAPHS_DIR, '..', '..');
const GRAPH_FILE = path.join(GRAPHS_DIR, 'graph-snapshot.yaml');
const MODULES = ['window', 'format', 'snapshot'] as const;

const snapshot = (timestamp: number, frame: Buffer): TestMessage => ({ timestamp, kind: 'snapshot', format: 'rgb24', width: 224, height: 224, payloadBase64: frame.toString('base64') });
// Window (0, 10 s]: red, blue, red (one as a plain message that format makes a frame of); (10 s, 20 s]: green.
const INPUT: TestMessage[] = [
  snapshot(1_000, RED()),
  snapshot(2_000, BLUE()),
  { timestamp: 3_000, topic: 'cameras', payloadBase64: RED().toString('base64') },
  snapshot(12_000, GREEN()),
];
const EXPECTED = [
  { timestamp: '1970-01-01T00:00:10.000000000Z', payload: { object: { result: 'red; blue' } } },
  { timestamp: '1970-01-01T00:00:20.000000000Z', payload: { object: { result: 'green' } } },
];

test('eddy graph test: the snapshot graph classifies frames through wasi-nn (in-process and the CLI)', async () => {
  const modules = new Map<string, Uint8Array>();
  for (const name of MODULES) modules.set(`${name}:1.0.0`, await moduleWasm(name));
  const r = runGraphTest({ definition: readFileSync(GRAPH_FILE, 'utf8'), file: GRAPH_FILE, modules, input: INPUT });
  assert.deepEqual(r.outputs.map((o) => ({ timestamp: o.timestamp, payload: o.payload })), EXPECTED);

  const dir = mkdtempSync(path.join(tmpdir(), 'eddy-snapshot-graph-'));
  try {
    const input = path.join(dir, 'frames.jsonl');
    writeFileSync(input, INPUT.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['packages/cli/bin/eddy.ts', 'graph', 'test', GRAPH_FILE, '--input', input, '--modules', 'examples/graphs/modules'], { cwd: ROOT }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      });
    });
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { timestamp: number; payload: unknown });
    assert.deepEqual(lines.map((o) => ({ timestamp: o.timestamp, payload: o.payload })), EXPECTED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function sinkRecords(b: Broker, topic: string): Promise<{ value: Buffer; headers: Record<string, string>; timestamp: number }[]> {
  const log = b.spu.requireLeader(topic, 0).log;
  const out: { value: Buffer; headers: Record<string, string>; timestamp: number }[] = [];
  let offset = log.logStartOffset;
  const cursor = new RecordCursor();
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 22);
    forEachBatch(r.data, (pos) => {
      cursor.reset(recordsSection(r.data, pos), batchBaseOffset(r.data, pos), batchFirstTimestamp(r.data, pos));
      while (cursor.next()) {
        out.push({ value: Buffer.from(cursor.value()), timestamp: cursor.timestamp, headers: Object.fromEntries(cursor.headers().map(([k, v]) => [k, v.toString()])) });
      }
    });
    offset = r.nextOffset;
  }
  return out;
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const frameRecord = (timestamp: number, frame: Buffer, side = 224) => ({
  value: frame, timestamp,
  headers: [['snapshot-format', Buffer.from('rgb24')], ['snapshot-width', Buffer.from(String(side))], ['snapshot-height', Buffer.from(String(side))]] as [string, Buffer][],
});

test('deployed on a broker: frame records are classified through wasi-nn; a bad model or a wrongly shaped frame fails only its graph, in one line', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'eddy-snapshot-broker-'));
  const b = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
  try {
    for (const t of ['frames', 'objects', 'labels', 'models', 'loaded', 'small', 'small-out']) await b.controller.createTopic(t, { partitions: 1 });
    for (const name of MODULES) await b.controller.createSmartModule(name, '1.0.0', '', await moduleWasm(name));
    await b.controller.createSmartModule('loader', '1.0.0', '', wat2wasm(LOAD_MODEL_MAP_WAT));
    const spec = (name: string, definition: string, sources: string[], sink: string) => ({ name, definition, sources, sink, params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null, createdMs: 0 });
    await b.controller.graphs.apply(spec('snapshots', readFileSync(GRAPH_FILE, 'utf8'), ['frames'], 'objects'), 'graph-snapshot.yaml', false);
    // The classifier alone: its sink gets snapshots, which become records with snapshot headers.
    const classify = graphYaml('classify', [['source', 'source'], ['map', 'classify', 'snapshot:1.0.0'], ['sink', 'sink']], [['source', 'classify'], ['classify', 'sink']]).replace('runtimeVersion: "1.1.0" }', 'runtimeVersion: "1.1.0", features: [{ name: wasi-nn }] }');
    await b.controller.graphs.apply(spec('labels', classify, ['frames'], 'labels'), 'labels.yaml', false);
    await b.controller.graphs.apply(spec('small', classify, ['small'], 'small-out'), 'small.yaml', false);
    const loader = graphYaml('loader', [['source', 'source'], ['map', 'load', 'loader:1.0.0'], ['sink', 'sink']], [['source', 'load'], ['load', 'sink']]).replace('runtimeVersion: "1.1.0" }', 'runtimeVersion: "1.1.0", features: [{ name: wasi-nn }] }');
    await b.controller.graphs.apply(spec('loader', loader, ['models'], 'loaded'), 'loader.yaml', false);

    const frames = b.spu.requireLeader('frames', 0);
    await frames.append(encodeBatch([frameRecord(1_000, RED()), frameRecord(2_000, BLUE()), frameRecord(3_000, RED()), frameRecord(12_000, GREEN()), frameRecord(25_000, BLUE())]), false);
    await b.spu.requireLeader('models', 0).append(encodeBatch([{ value: Buffer.from('not an ONNX model'), timestamp: 1_000 }]), false);
    await b.spu.requireLeader('small', 0).append(encodeBatch([frameRecord(1_000, colourFrame(200, 0, 0, 8), 8)]), false);

    await eventually(async () => (await sinkRecords(b, 'objects')).length >= 2, 20_000, 'window outputs');
    const objects = await sinkRecords(b, 'objects');
    assert.deepEqual(objects.map((r) => [r.timestamp, JSON.parse(r.value.toString())]), EXPECTED.map((e) => [Number(parseNanosIso(e.timestamp)! / 1_000_000n), e.payload]));
    await eventually(async () => (await sinkRecords(b, 'labels')).length === 5, 20_000, 'labels');
    const labels = await sinkRecords(b, 'labels');
    assert.deepEqual(labels.map((r) => JSON.parse(r.value.toString()).object.result), ['red', 'blue', 'red', 'green', 'blue']);
    assert.deepEqual(labels[0].headers, { 'snapshot-format': 'rgb24', 'snapshot-width': '224', 'snapshot-height': '224' });

    await eventually(() => b.graphs!.status('loader')?.state === 'failed' && b.graphs!.status('small')?.state === 'failed', 20_000, 'failing graphs');
    const loadError = b.graphs!.status('loader')!.error ?? '';
    assert.match(loadError, /operation "load" failed: could not load the model \(wasi-nn load: ONNX Runtime could not load the model: .*protobuf parsing failed/);
    const shapeError = b.graphs!.status('small')!.error ?? '';
    assert.match(shapeError, /operation "classify" failed: Error executing graph inference: invalid argument \(wasi-nn set_input: input "data" has shape \[1,3,224,224\], the tensor given \[1,3,8,8\]\)/);
    for (const e of [loadError, shapeError]) assert.doesNotMatch(e, /\n/);
    assert.equal(b.graphs!.status('snapshots')!.state, 'running');
    assert.equal(b.graphs!.status('labels')!.state, 'running');
  } finally {
    await b.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
