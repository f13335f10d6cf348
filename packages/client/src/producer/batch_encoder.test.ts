import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecords, forEachBatch, validateBatches } from '@eddy/protocol';
import { encodeBounded } from './batch_encoder.ts';

test('property: parts stay under the limit (or hold one record) and keep every record in order', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }), value: fc.uint8Array({ maxLength: 300 }) }), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 64, max: 4000 }),
    fc.constantFrom(0 as const, 1 as const, 4 as const),
    (records, max, compression) => {
      const parts = encodeBounded(records, { compression, timestamp: 7 }, max);
      const values: Buffer[] = [];
      const keys: (Buffer | null)[] = [];
      for (const p of parts) {
        const n = validateBatches(p).records;
        assert.ok(p.length <= max || n === 1, `part of ${p.length} bytes with ${n} records over ${max}`);
        forEachBatch(p, (pos) => {
          for (const r of decodeRecords(p, pos)) { values.push(Buffer.from(r.value)); keys.push(r.key && Buffer.from(r.key)); }
        });
      }
      assert.deepEqual(values, records.map((r) => Buffer.from(r.value)));
      assert.deepEqual(keys, records.map((r) => (r.key ? Buffer.from(r.key) : null)));
    },
  ), { numRuns: 60 });
});
