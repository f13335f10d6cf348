import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOf, openOperator, refusal, text } from '../../harness.ts';

test('format turns a collected window into the final document with its ISO window end', async () => {
  const { op } = await openOperator('format', 'map');
  assert.equal(refusal(op), null);
  const payload = {
    count: 2,
    messages: [{ type: 'temperature', unit: 'F', count: 2, min: 70, max: 72, average: 71 }, { type: 'humidity', unit: '%', count: 1, min: 40, max: 40, average: 40 }],
    enrichment: { factory: 'Berlin', line: null },
  };
  const ts = Date.UTC(2025, 0, 1, 0, 0, 10);
  const [out] = op.map(batchOf([{ payload: JSON.stringify(payload), timestamp: ts }])).decodeAll();
  assert.deepEqual(JSON.parse(text(out)), {
    window_end: '2025-01-01T00:00:10.000Z',
    temperature: { unit: 'F', count: 2, min: 70, max: 72, average: 71 },
    humidity: { unit: '%', count: 1, min: 40, max: 40, average: 40 },
    enrichment: { factory: 'Berlin', line: null },
  });
  assert.equal(out.contentType, 'application/json');
});

test('format writes ISO times like Date.prototype.toISOString', async () => {
  const { op } = await openOperator('format', 'map');
  assert.equal(refusal(op, { time_field: 'at' }), null);
  const times = [0, 951_782_400_000, 1_709_164_799_999, 4_102_444_800_123, Date.UTC(2024, 1, 29, 12, 34, 56, 789)];
  const out = op.map(batchOf(times.map((t) => ({ payload: '{"x":1}', timestamp: t })))).decodeAll();
  assert.deepEqual(out.map((m) => JSON.parse(text(m))), times.map((t) => ({ at: new Date(t).toISOString(), x: 1 })));
});
