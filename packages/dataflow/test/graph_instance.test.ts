import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  GraphInstance,
  GraphOperatorError,
  MessageBatch,
  MessageBatchBuilder,
  compileOperatorModule,
  loadGraphOrThrow,
  type CompiledOperatorModule,
  type GraphPlan,
} from '@eddy/dataflow';
import {
  CONCAT_ACCUMULATE_WAT,
  IDENTITY_MAP_WAT,
  ODD_WAT,
  PICKY_INIT_WAT,
  SHORT_MAP_WAT,
  TRAP_MAP_WAT,
  wat2wasm,
  windowDelayWat,
} from './wat_operators.ts';
import { graphYaml, type ConnectionRow, type OperationRow } from './graph_yaml.ts';

const modules = new Map<string, CompiledOperatorModule>([
  ['odd:1.0.0', compileOperatorModule('odd:1.0.0', wat2wasm(ODD_WAT))],
  ['id:1.0.0', compileOperatorModule('id:1.0.0', wat2wasm(IDENTITY_MAP_WAT))],
  ['window:1.0.0', compileOperatorModule('window:1.0.0', wat2wasm(windowDelayWat(10_000 * 1_000_000)))],
  ['concat:1.0.0', compileOperatorModule('concat:1.0.0', wat2wasm(CONCAT_ACCUMULATE_WAT))],
  ['picky:1.0.0', compileOperatorModule('picky:1.0.0', wat2wasm(PICKY_INIT_WAT))],
  ['trap:1.0.0', compileOperatorModule('trap:1.0.0', wat2wasm(TRAP_MAP_WAT))],
  ['short:1.0.0', compileOperatorModule('short:1.0.0', wat2wasm(SHORT_MAP_WAT))],
]);

function graph(ops: OperationRow[], connections: ConnectionRow[]): GraphPlan {
  return loadGraphOrThrow(graphYaml('t', ops, connections), { file: 'test.yaml', resolveModule: (r) => modules.get(`${r.name}:${r.version}`)?.provides }).plan;
}

function batch(events: [time: number, payload: string][], node = 0): MessageBatch {
  const b = new MessageBatchBuilder();
  for (const [t, p] of events) b.appendFields({ timestamp: { physical: BigInt(t) * 1_000_000n, counter: 0, node }, topic: 'in', payload: Buffer.from(p) });
  return b.finish();
}

function texts(b: MessageBatch): string[] {
  // in ms, as the events are written (physical time is ns)
  return b.decodeAll().map((m) => `${m.timestamp.physical / 1_000_000n}:${m.payload.toString()}`);
}

const simple = graph(
  [['source', 'source'], ['map', 'id', 'id:1.0.0'], ['filter', 'odd', 'odd:1.0.0'], ['sink', 'sink']],
  [['source', 'id'], ['id', 'odd'], ['odd', 'sink']],
);

test('map keeps messages and timestamps; filter drops by the module decision', () => {
  const g = new GraphInstance({ plan: simple, modules, node: 3, allowedLatenessMs: 0 });
  const r = g.process(batch([[1000, 'a'], [1001, 'b'], [1002, 'c'], [1003, 'dd']], 3)); // a=97 odd, b=98 even, c=99 odd, d=100 even
  assert.deepEqual(texts(r.output), ['1000:a', '1002:c']);
  assert.equal(r.firstSeq, 0);
  const stats = Object.fromEntries(g.stats().map((s) => [s.name, [s.recordsIn, s.recordsOut]]));
  assert.deepEqual(stats, { source: [4, 4], id: [4, 4], odd: [4, 2], sink: [2, 2] });
  const r2 = g.process(batch([[1004, 'e']], 3));
  assert.equal(r2.firstSeq, 2);
  assert.equal(r2.output.decode(0).timestamp.node, 3);
});

test('messages behind the frontier are late: dropped and counted', () => {
  const g = new GraphInstance({ plan: simple, modules, node: 0, allowedLatenessMs: 5 });
  const r = g.process(batch([[100, 'a'], [110, 'c'], [104, 'e'], [106, 'g']])); // frontier 105 after 110
  assert.deepEqual(texts(r.output), ['100:a', '110:c', '106:g']);
  assert.deepEqual(texts(r.late), ['104:e']);
  assert.equal(g.lateMessages, 1);
});

// source → window delay → branch(odd): True → accumulate (concatenates payloads per window);
// both arms → concatenate → sink. Every path to the sink goes through a buffer.
const windowed = graph(
  [
    ['source', 'source'],
    ['delay', 'window', 'window:1.0.0'],
    ['branch', 'odd', 'odd:1.0.0'],
    ['accumulate', 'collect', 'concat:1.0.0'],
    ['concatenate', 'merge'],
    ['sink', 'sink'],
  ],
  [['source', 'window'], ['window', 'odd'], ['odd', 'collect', 'True'], ['odd', 'merge', 'False'], ['collect', 'merge'], ['merge', 'sink']],
);

function runAll(plan: GraphPlan, events: [number, string][], sizes: number[], lateness: number): string[] {
  const g = new GraphInstance({ plan, modules, node: 0, allowedLatenessMs: lateness });
  const out: string[] = [];
  let i = 0;
  let k = 0;
  while (i < events.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    const r = g.process(batch(events.slice(i, i + n)));
    assert.equal(r.late.count, 0, 'nothing is late');
    out.push(...texts(r.output));
    i += n;
  }
  out.push(...texts(g.flush().output));
  return out;
}

test('accumulate is called once per window when the frontier passes it, with the window in event-time order', () => {
  const events: [number, string][] = [[1000, 'a'], [3000, 'c'], [2000, 'b'], [12000, 'e'], [9000, 'f'], [25000, 'g'], [31000, 'i']];
  const out = runAll(windowed, events, [100], 10_000);
  // Odd first bytes (a c e g i) take the True arm and are accumulated per 10 s window; b and f
  // (even) pass through concatenate. Within a window: by event time of the earliest message.
  assert.deepEqual(out, ['10000:ac', '10000:b', '10000:f', '20000:e', '30000:g', '40000:i']);
});

test('same input, any batching and any arrival order within the allowed lateness: same output, byte for byte', () => {
  const lateness = 4000;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'zz', 'y')), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: lateness }), { minLength: 60, maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
      (raw, jitter, sizes) => {
        const inOrder = [...raw].sort((x, y) => x[0] - y[0]);
        // Arrival order: event time plus a delay of at most `lateness` (so nothing is late).
        const shuffled = raw
          .map((e, i) => ({ e, at: e[0] + jitter[i % jitter.length] }))
          .sort((x, y) => x.at - y.at)
          .map((x) => x.e);
        const expected = runAll(windowed, inOrder, [1000], lateness);
        assert.deepEqual(runAll(windowed, shuffled, sizes, lateness), expected);
      },
    ),
    { numRuns: 150 },
  );
});

test('a snapshot taken mid-run continues to the same output as an uninterrupted run', () => {
  const events: [number, string][] = [];
  for (let i = 0; i < 200; i++) events.push([i * 700 + ((i * 7919) % 1500), String.fromCharCode(97 + (i % 26))]);
  const straight = runAll(windowed, events, [13], 2000);
  for (const cut of [1, 57, 120, 199]) {
    const a = new GraphInstance({ plan: windowed, modules, node: 0, allowedLatenessMs: 2000 });
    const out = texts(a.process(batch(events.slice(0, cut))).output);
    const snap = a.snapshot();
    const b = new GraphInstance({ plan: windowed, modules, node: 0, allowedLatenessMs: 2000, snapshot: snap });
    assert.equal(b.position, cut);
    assert.equal(b.seq, a.seq);
    out.push(...texts(b.process(batch(events.slice(cut))).output));
    out.push(...texts(b.flush().output));
    assert.deepEqual(out, straight, `cut at ${cut}`);
    assert.deepEqual(b.stats(), (() => {
      const c = new GraphInstance({ plan: windowed, modules, node: 0, allowedLatenessMs: 2000 });
      c.process(batch(events));
      c.flush();
      return c.stats();
    })());
  }
});

test('state seeds, init refusal, traps and malformed results name the operation', () => {
  const picky = graph([['source', 'source'], ['map', 'p', 'picky:1.0.0'], ['sink', 'sink']], [['source', 'p'], ['p', 'sink']]);
  assert.throws(() => new GraphInstance({ plan: picky, modules, node: 0, allowedLatenessMs: 0 }), (e: unknown) => e instanceof GraphOperatorError && e.failure === 'refused' && /operation "p" refused its configuration: need ok/.test(e.message));
  const trap = graph([['source', 'source'], ['map', 't', 'trap:1.0.0'], ['sink', 'sink']], [['source', 't'], ['t', 'sink']]);
  const g = new GraphInstance({ plan: trap, modules, node: 0, allowedLatenessMs: 0 });
  assert.throws(() => g.process(batch([[1, 'a']])), (e: unknown) => e instanceof GraphOperatorError && e.failure === 'trap' && /operation "t" trapped in graph_map/.test(e.message));
  const short = graph([['source', 'source'], ['map', 's', 'short:1.0.0'], ['sink', 'sink']], [['source', 's'], ['s', 'sink']]);
  const s = new GraphInstance({ plan: short, modules, node: 0, allowedLatenessMs: 0 });
  assert.throws(() => s.process(batch([[1, 'a'], [2, 'b']])), /operation "s" map returned 0 messages for 2/);
  const seeded = new GraphInstance({ plan: simple, modules, node: 0, allowedLatenessMs: 0, state: { factory: 'north' } });
  assert.equal(Buffer.from(seeded.state.get(Buffer.from('factory'))!).toString(), 'north');
});

test('a module that provides no operator or imports something else is refused with its name', () => {
  assert.throws(() => compileOperatorModule('x:1', wat2wasm('(module (memory (export "memory") 1))')), /module x:1 does not export a "alloc" function/);
  assert.throws(
    () => compileOperatorModule('y:1', wat2wasm('(module (import "wasi" "fd_write" (func)) (memory (export "memory") 1))')),
    /module y:1 imports "wasi"."fd_write", which the graph host does not provide/,
  );
});

// source → branch(odd): True → window delay → sink; False → sink. The sink merges two inputs.
const twoInputs = graph(
  [['source', 'source'], ['branch', 'odd', 'odd:1.0.0'], ['delay', 'window', 'window:1.0.0'], ['sink', 'sink']],
  [['source', 'odd'], ['odd', 'window', 'True'], ['odd', 'sink', 'False'], ['window', 'sink']],
);

test('a sink with two inputs writes in source order whatever the batching (k-way merge)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.constantFrom('a', 'b', 'c', 'd', 'zz', 'y')), { minLength: 1, maxLength: 80 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
      (events, sizes) => {
        const out = runAll(twoInputs, events, sizes, 100_000);
        // Every message passes, in arrival order; odd ones moved to their window end.
        const expected = events.map(([t, p]) => `${p.charCodeAt(0) % 2 === 1 ? Math.ceil(t / 10_000) * 10_000 : t}:${p}`);
        assert.deepEqual(out, expected);
      },
    ),
    { numRuns: 150 },
  );
});
