import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KIND_SNAPSHOT } from '@eddy/dataflow';
import { batchOf, openOperator } from '../../harness.ts';

test('format makes a 224×224 rgb24 snapshot of a payload that size, passes such snapshots and refuses the rest, as Azure\'s', async () => {
  const { op } = await openOperator('format', 'map');
  const frame = new Uint8Array(224 * 224 * 3).map((_, i) => i % 251);
  const out = op.map(batchOf([{ payload: frame, topic: 'cameras', timestamp: 5_000 }])).decode(0);
  assert.equal(out.kind, KIND_SNAPSHOT);
  assert.deepEqual([out.contentType, out.width, out.height, out.topic], ['rgb24', 224, 224, '']);
  assert.deepEqual(new Uint8Array(out.payload), frame);
  assert.equal(out.timestamp.physical, 5_000n * 1_000_000n); // ns
  const same = op.map(batchOf([{ kind: 'snapshot', contentType: 'rgb24', width: 224, height: 224, payload: frame }])).decode(0);
  assert.deepEqual([same.kind, same.width, same.height], [KIND_SNAPSHOT, 224, 224]);
  assert.deepEqual(new Uint8Array(same.payload), frame);
  // a snapshot of another shape whose frame has the size is taken as 224×224 rgb24 (Azure's rule)
  const other = op.map(batchOf([{ kind: 'snapshot', contentType: 'bgr24', width: 448, height: 112, payload: frame }])).decode(0);
  assert.deepEqual([other.contentType, other.width, other.height], ['rgb24', 224, 224]);
  assert.throws(() => op.map(batchOf([{ payload: '{"temperature":{"value":1,"unit":"C"}}' }])), /Unexpected image format or size/);
  assert.throws(() => op.map(batchOf([{ kind: 'snapshot', contentType: 'rgb24', width: 8, height: 8, payload: new Uint8Array(192) }])), /Unexpected image format or size/);
  assert.throws(() => op.map(batchOf([{ kind: 'raw', payload: frame }])), /Unexpected input type/);
});
