import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOf, openOperator, text } from '../../harness.ts';

test('format passes a 224×224 rgb24 frame and refuses other payloads, as Azure\'s', async () => {
  const { op } = await openOperator('format', 'map');
  const frame = new Uint8Array(224 * 224 * 3).map((_, i) => i % 251);
  const out = op.map(batchOf([{ payload: frame }])).decode(0);
  assert.deepEqual(new Uint8Array(out.payload), frame);
  assert.equal(out.contentType, 'image/rgb24;width=224;height=224');
  assert.throws(() => op.map(batchOf([{ payload: '{"temperature":{"value":1,"unit":"C"}}' }])), /Unexpected image format or size/);
  void text;
});
