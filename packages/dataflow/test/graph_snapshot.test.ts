// Graph checkpoints keep their bytes: fixtures/graph_snapshot_v1.json was written by
// GraphInstance.snapshot() before the runtime was split into files, from the input below.
// Checkpoints already stored by brokers must load, and new ones must stay readable by old code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  GraphInstance,
  GraphSnapshotError,
  MessageBatch,
  MessageBatchBuilder,
  compileOperatorModule,
  loadGraphOrThrow,
  type CompiledOperatorModule,
} from '@eddy/dataflow';
import { CONCAT_ACCUMULATE_WAT, ODD_WAT, wat2wasm, windowDelayWat } from './wat_operators.ts';
import { graphYaml } from './graph_yaml.ts';
import { decodeGraphSnapshot, encodeGraphSnapshot } from '../src/runtime/graph_snapshot.ts';

const golden = readFileSync(new URL('./fixtures/graph_snapshot_v1.json', import.meta.url));

const modules = new Map<string, CompiledOperatorModule>([
  ['odd:1.0.0', compileOperatorModule('odd:1.0.0', wat2wasm(ODD_WAT))],
  ['window:1.0.0', compileOperatorModule('window:1.0.0', wat2wasm(windowDelayWat(10_000)))],
  ['concat:1.0.0', compileOperatorModule('concat:1.0.0', wat2wasm(CONCAT_ACCUMULATE_WAT))],
]);

// Both kinds of buffer hold messages at the cut: accumulate (collect) and concatenate (merge).
const plan = loadGraphOrThrow(
  graphYaml(
    't',
    [['source', 'source'], ['delay', 'window', 'window:1.0.0'], ['branch', 'odd', 'odd:1.0.0'], ['accumulate', 'collect', 'concat:1.0.0'], ['concatenate', 'merge'], ['sink', 'sink']],
    [['source', 'window'], ['window', 'odd'], ['odd', 'collect', 'True'], ['odd', 'merge', 'False'], ['collect', 'merge'], ['merge', 'sink']],
  ),
  { file: 'test.yaml', resolveModule: (r) => modules.get(`${r.name}:${r.version}`)?.provides },
).plan;

const options = { plan, modules, node: 2, allowedLatenessMs: 3000, state: { factory: 'north', line: '7' } };
// '500:late' is behind the frontier when it arrives.
const before: [number, string][] = [[1000, 'a'], [3000, 'c'], [2000, 'b'], [12000, 'e'], [9000, 'f'], [14000, 'g'], [11000, 'h'], [500, 'late'], [15000, 'i']];
const after: [number, string][] = [[16000, 'j'], [13500, 'k'], [29000, 'm'], [41000, 'o']];

function batch(events: [number, string][]): MessageBatch {
  const b = new MessageBatchBuilder();
  for (const [t, p] of events) b.appendFields({ timestamp: { physical: t, counter: 0, node: 2 }, topic: 'in', payload: Buffer.from(p) });
  return b.finish();
}

function texts(b: MessageBatch): string[] {
  return b.decodeAll().map((m) => `${m.timestamp.physical}:${m.payload.toString()}`);
}

test('a snapshot is byte for byte the one the pre-split runtime wrote for the same input', () => {
  const g = new GraphInstance(options);
  const r = g.process(batch(before));
  assert.deepEqual(texts(r.output), ['10000:ac', '10000:b', '10000:f']);
  assert.deepEqual(texts(r.late), ['500:late']);
  assert.equal(g.heldMessages(), 4);
  assert.equal(g.snapshot().toString('utf8'), golden.toString('utf8'));
  assert.ok(g.snapshot().equals(golden));
});

test('the codec reads the stored checkpoint and writes it back to the same bytes', () => {
  const s = decodeGraphSnapshot(golden);
  assert.equal(s.position, 9);
  assert.equal(s.frontier, 12000);
  assert.deepEqual([...s.operations.keys()], ['source', 'window', 'odd', 'collect', 'merge', 'sink']);
  assert.deepEqual(s.operations.get('collect')!.held.map((h) => [h.bytes.subarray(-3).toString(), h.order, h.origin]), [['ine', 6, 12000], ['ing', 10, 14000], ['ini', 16, 15000]]);
  assert.ok(encodeGraphSnapshot(s).equals(golden));
  // A frontier that is not finite is stored as null and read back as "none yet".
  const flushed = decodeGraphSnapshot(encodeGraphSnapshot({ ...s, frontier: Number.POSITIVE_INFINITY }));
  assert.equal(flushed.frontier, Number.NEGATIVE_INFINITY);
});

test('an instance restored from the stored checkpoint continues like an uninterrupted run', () => {
  const straight = new GraphInstance(options);
  const expected = [...texts(straight.process(batch(before)).output)];
  const tail = [...texts(straight.process(batch(after)).output), ...texts(straight.flush().output)];
  expected.push(...tail);

  const restored = new GraphInstance({ ...options, state: undefined, snapshot: golden });
  assert.equal(restored.position, before.length);
  assert.equal(restored.seq, 3);
  assert.equal(restored.frontier, 12000);
  assert.equal(restored.lateMessages, 1);
  assert.deepEqual(restored.clock.now(), { physical: 15000, counter: 1, node: 2 });
  assert.equal(restored.heldMessages(), 4);
  assert.equal(Buffer.from(restored.state.get(Buffer.from('line'))!).toString(), '7');
  const r = restored.process(batch(after));
  assert.equal(r.firstSeq, 3);
  assert.deepEqual([...texts(r.output), ...texts(restored.flush().output)], tail);
  assert.deepEqual(restored.stats(), straight.stats());
  assert.ok(restored.snapshot().equals(straight.snapshot()));
});

test('an unreadable or unknown checkpoint is refused with GraphSnapshotError', () => {
  for (const bytes of [Buffer.from('{"v":1,'), Buffer.from('{"v":2,"position":0,"seq":0,"state":""}'), Buffer.from('null'), Buffer.from('{"v":1,"position":0,"seq":0,"state":""}'), golden.subarray(0, 100)]) {
    assert.throws(() => new GraphInstance({ ...options, snapshot: bytes }), GraphSnapshotError);
  }
});
