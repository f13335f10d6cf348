import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProduceRequest, encodeBatch } from '@eddy/protocol';
import { encode } from '@eddy/protocol/internal';
import { ProduceRequestParts } from './produce_request.ts';

test('several batches per partition encode exactly as protocol ProduceRequest with them concatenated', () => {
  fc.assert(fc.property(
    fc.array(fc.array(fc.array(fc.uint8Array({ maxLength: 6000 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    (partitions) => {
      const batches = partitions.map((p) => p.map((values) => encodeBatch(values.map((v) => ({ value: v })), { timestamp: 1 })));
      const parts = {
        acks: 1,
        timeoutMs: 1000,
        topics: [{ name: 't', partitions: batches.map((list, partition) => ({ partition, records: list })) }],
        smartmodules: [],
      };
      const whole = { ...parts, topics: [{ name: 't', partitions: batches.map((list, partition) => ({ partition, records: Buffer.concat(list) })) }] };
      assert.deepEqual(encode(ProduceRequestParts, parts).toBuffer(), encode(ProduceRequest, whole).toBuffer());
    },
  ), { numRuns: 30 });
});
