// Graph checkpoints keep their bytes: fixtures/graph_snapshot_v1.json was written by
// GraphInstance.snapshot() before the runtime was split into files, from the input below, when
// physical time was ms; fixtures/graph_snapshot_v2.json by the ns runtime from the same input.
// Checkpoints already stored by brokers (v1, ms) must load, converted to ns.
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

const goldenV1 = readFileSync(new URL('./fixtures/graph_snapshot_v1.json', import.meta.url));
const golden = readFileSync(new URL('./fixtures/graph_snapshot_v2.json', import.meta.url));
const MS = 1_000_000n;

const modules = new Map<string, CompiledOperatorModule>([
  ['odd:1.0.0', compileOperatorModule('odd:1.0.0', wat2wasm(ODD_WAT))],
  ['window:1.0.0', compileOperatorModule('window:1.0.0', wat2wasm(windowDelayWat(10_000 * 1_000_000)))],
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
  for (const [t, p] of events) b.appendFields({ timestamp: { physical: BigInt(t) * MS, counter: 0, node: 2 }, topic: 'in', payload: Buffer.from(p) });
  return b.finish();
}

function texts(b: MessageBatch): string[] {
  // in ms, as the events are written
  return b.decodeAll().map((m) => `${m.timestamp.physical / MS}:${m.payload.toString()}`);
}

test('a snapshot is byte for byte the stored v2 checkpoint for the same input', () => {
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
  assert.equal(s.frontierMs, 12000);
  assert.equal(s.frontierSub, 0);
  assert.equal(s.clock.physical, 15000n * MS);
  assert.deepEqual([...s.operations.keys()], ['source', 'window', 'odd', 'collect', 'merge', 'sink']);
  const held = (x: typeof s) => x.operations.get('collect')!.held.map((h) => [h.bytes.subarray(-3).toString(), h.order, h.origin, h.bytes.readBigUInt64LE(8)]);
  assert.deepEqual(held(s), [['ine', 6, 12000, 20000n * MS], ['ing', 10, 14000, 20000n * MS], ['ini', 16, 15000, 20000n * MS]]);
  assert.ok(encodeGraphSnapshot(s).equals(golden));
  // A frontier that is not finite is stored as null and read back as "none yet".
  const flushed = decodeGraphSnapshot(encodeGraphSnapshot({ ...s, frontierMs: Number.POSITIVE_INFINITY }));
  assert.equal(flushed.frontierMs, Number.NEGATIVE_INFINITY);
  // A sub-ms frontier keeps its ns.
  const fine = decodeGraphSnapshot(encodeGraphSnapshot({ ...s, frontierSub: 999_999 }));
  assert.deepEqual([fine.frontierMs, fine.frontierSub], [12000, 999_999]);
});

test('a v1 checkpoint (ms) decodes to the same times in ns', () => {
  const v1 = decodeGraphSnapshot(goldenV1);
  const v2 = decodeGraphSnapshot(golden);
  assert.deepEqual([v1.frontierMs, v1.frontierSub, v1.clock, v1.position, v1.seq, v1.lateMessages], [v2.frontierMs, v2.frontierSub, v2.clock, v2.position, v2.seq, v2.lateMessages]);
  assert.deepEqual(v1.operations, v2.operations);
});

test('an instance restored from the stored checkpoint continues like an uninterrupted run', () => {
  const straight = new GraphInstance(options);
  const expected = [...texts(straight.process(batch(before)).output)];
  const tail = [...texts(straight.process(batch(after)).output), ...texts(straight.flush().output)];
  expected.push(...tail);

  for (const snapshot of [goldenV1, golden]) {
    const restored = new GraphInstance({ ...options, state: undefined, snapshot });
    assert.equal(restored.position, before.length);
    assert.equal(restored.seq, 3);
    assert.equal(restored.frontier, 12000);
    assert.equal(restored.frontierNs(), 12000n * MS);
    assert.equal(restored.lateMessages, 1);
    assert.deepEqual(restored.clock.now(), { physical: 15000n * MS, counter: 1, node: 2 });
    assert.equal(restored.heldMessages(), 4);
    assert.equal(Buffer.from(restored.state.get(Buffer.from('line'))!).toString(), '7');
    const r = restored.process(batch(after));
    assert.equal(r.firstSeq, 3);
    assert.deepEqual([...texts(r.output), ...texts(restored.flush().output)], tail);
    assert.deepEqual(restored.stats(), straight.stats());
    assert.ok(restored.snapshot().equals(straight.snapshot()));
  }
});

test('an unreadable or unknown checkpoint is refused with GraphSnapshotError', () => {
  for (const bytes of [Buffer.from('{"v":1,'), Buffer.from('{"v":3,"position":0,"seq":0,"state":""}'), Buffer.from('{"v":2,"position":0,"seq":0,"state":""}'), Buffer.from('null'), Buffer.from('{"v":1,"position":0,"seq":0,"state":""}'), golden.subarray(0, 100)]) {
    assert.throws(() => new GraphInstance({ ...options, snapshot: bytes }), GraphSnapshotError);
  }
});
