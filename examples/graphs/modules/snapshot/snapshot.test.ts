import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KIND_SNAPSHOT } from '@eddy/dataflow';
import { accumulated, batchOf, flags, openOperator, text } from '../../harness.ts';

const SIDE = 224;

/** A 224×224 rgb24 frame: every pixel (r, g, b), with some noise so no channel is flat. */
function frame(r: number, g: number, b: number, side = SIDE): Uint8Array {
  const f = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) {
    const noise = (i * 7) % 21 - 10;
    f[3 * i] = Math.max(0, Math.min(255, r + noise));
    f[3 * i + 1] = Math.max(0, Math.min(255, g - noise));
    f[3 * i + 2] = Math.max(0, Math.min(255, b + noise));
  }
  return f;
}

const snapshot = (f: Uint8Array, timestamp = 10_000, side = SIDE) => ({ kind: 'snapshot' as const, contentType: 'rgb24', width: side, height: side, payload: f, timestamp });

test('snapshot branch: True for snapshots and on the snapshot_topic; without it messages go False', async () => {
  const { op } = await openOperator('snapshot', 'branch');
  op.init({ snapshot_topic: 'cameras' });
  assert.deepEqual(flags(op.decide(batchOf([{ payload: 'x', topic: 'cameras' }, { payload: 'x', topic: 'sensors' }, snapshot(frame(0, 0, 0))]))), [true, false, true]);
  const none = await openOperator('snapshot', 'branch');
  none.op.init({});
  assert.deepEqual(flags(none.op.decide(batchOf([{ payload: 'x', topic: 'cameras' }, { payload: 'x', topic: '' }]))), [false, false]);
  assert.throws(() => none.op.decide(batchOf([{ payload: 'x', kind: 'raw' }])), /Unexpected input type/);
});

test('snapshot map classifies frames through wasi-nn: the dominant colour, as a snapshot holding the result', async () => {
  const { op } = await openOperator('snapshot', 'map', { features: ['wasi-nn'] });
  const out = op.map(batchOf([snapshot(frame(200, 30, 40)), snapshot(frame(20, 40, 230), 20_000), snapshot(frame(60, 180, 90), 30_000)]));
  const results = out.decodeAll();
  assert.deepEqual(results.map((m) => JSON.parse(text(m))), [{ object: { result: 'red' } }, { object: { result: 'blue' } }, { object: { result: 'green' } }]);
  for (const m of results) {
    assert.equal(m.kind, KIND_SNAPSHOT);
    assert.deepEqual([m.contentType, m.width, m.height], ['rgb24', SIDE, SIDE]);
  }
  assert.deepEqual(results.map((m) => m.timestamp.physical), [10_000_000_000n, 20_000_000_000n, 30_000_000_000n]);
  // a message is no frame (Azure's words)
  assert.throws(() => op.map(batchOf([{ payload: 'x' }])), /Unexpected input type/);
});

test('snapshot map: a frame of the wrong shape fails with what the model expects; no wasi-nn feature fails clearly', async () => {
  const { op } = await openOperator('snapshot', 'map', { features: ['wasi-nn'] });
  assert.throws(
    () => op.map(batchOf([snapshot(frame(200, 0, 0, 8), 10_000, 8)])),
    (err: Error) => {
      assert.match(err.message, /Error executing graph inference: invalid argument/);
      assert.match(err.message, /input "data" has shape \[1,3,224,224\], the tensor given \[1,3,8,8\]/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    },
  );
  const { op: plain } = await openOperator('snapshot', 'map');
  assert.throws(() => plain.map(batchOf([snapshot(frame(200, 0, 0))])), /calls wasi-nn \("wasi_ephemeral_nn"\), but the graph does not enable it: add "features: \[\{name: wasi-nn\}\]"/);
});

test('snapshot accumulate joins the distinct objects of classified snapshots; a message fails it', async () => {
  const { op } = await openOperator('snapshot', 'accumulate');
  const o = (result: string) => ({ kind: 'snapshot' as const, contentType: 'rgb24', width: SIDE, height: SIDE, payload: JSON.stringify({ object: { result } }), timestamp: 10_000 });
  const out = accumulated(op.accumulate(batchOf([o('laptop'), o('tripod'), o('laptop')])));
  assert.deepEqual(JSON.parse(text(out)), { object: { result: 'laptop; tripod' } });
  assert.notEqual(out.kind, KIND_SNAPSHOT);
  assert.throws(() => op.accumulate(batchOf([{ payload: JSON.stringify({ object: { result: 'x' } }), timestamp: 10_000 }])), /Unexpected input type/);
});
