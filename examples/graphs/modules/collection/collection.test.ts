import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulated, batchOf, openOperator, text } from '../../harness.ts';

test('collection gathers every message of a timestamp into one JSON document', async () => {
  const { op } = await openOperator('collection', 'accumulate');
  const t = { type: 'temperature', unit: 'F', count: 2, min: 70, max: 72, average: 71 };
  const h = { type: 'humidity', unit: '%', count: 1, min: 40, max: 40, average: 40 };
  const out = accumulated(op.accumulate(batchOf([
    { payload: JSON.stringify(t), topic: 'sensors', timestamp: 10_000 },
    { payload: JSON.stringify(h), topic: 'sensors', timestamp: 10_000 },
    { payload: 'plain text', timestamp: 10_000 },
  ])));
  assert.deepEqual(JSON.parse(text(out)), { count: 3, messages: [t, h, 'plain text'] });
  assert.equal(out.contentType, 'application/json');
  assert.equal(out.topic, 'sensors');
  assert.equal(out.timestamp.physical, 10_000);
});
