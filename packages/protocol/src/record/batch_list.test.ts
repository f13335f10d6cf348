import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytes, decode, encode } from '../codec/schema.ts';
import { batchList } from './batch_list.ts';

test('batchList writes the same bytes as one bytes field of the concatenated batches, and reads it back whole', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 9000 }), { maxLength: 4 }), (parts) => {
    const whole = Buffer.concat(parts);
    const wire = encode(batchList, parts).toBuffer();
    assert.deepEqual(wire, encode(bytes, whole).toBuffer());
    assert.deepEqual(decode(batchList, wire), [whole]);
  }), { numRuns: 50 });
});
