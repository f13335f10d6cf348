import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { batchBaseOffset, batchMaxTimestamp } from '@eddy/protocol';
import { readInt64BE, writeInt64BE, batchLastOffsetDelta } from '@eddy/protocol/internal';
import { batchProblem } from './batch_check.ts';
import { validateIncoming } from './incoming_batches.ts';
import { CorruptAppendError } from './errors.ts';
import { makeBatch } from '../../test/support/test_batches.ts';

const batchSpec = fc.record({
  records: fc.integer({ min: 1, max: 1000 }),
  payloadBytes: fc.integer({ min: 4, max: 400 }),
  tag: fc.nat(),
  maxTimestamp: fc.integer({ min: -1, max: 2 ** 45 }),
  baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
});

test('i64 accessors round-trip safe integers, negative ones included', () => {
  fc.assert(
    fc.property(fc.maxSafeInteger().filter((v) => v >= Number.MIN_SAFE_INTEGER), (v) => {
      const buf = Buffer.alloc(8);
      writeInt64BE(buf, 0, v);
      assert.equal(readInt64BE(buf, 0), v);
      assert.equal(buf.readBigInt64BE(0), BigInt(v));
    }),
  );
});

test('built batches are valid and their header fields read back', () => {
  fc.assert(
    fc.property(batchSpec, (spec) => {
      const b = makeBatch(spec);
      assert.equal(batchProblem(b, 0, b.length), null);
      assert.equal(batchBaseOffset(b, 0), spec.baseOffset);
      assert.equal(batchMaxTimestamp(b, 0), spec.maxTimestamp);
      assert.equal(batchLastOffsetDelta(b, 0), spec.records - 1);
      assert.deepEqual(validateIncoming(Buffer.concat([b, b])), { batchCount: 2, offsetCount: 2 * spec.records });
    }),
  );
});

test('any changed byte covered by length, magic or CRC is rejected', () => {
  fc.assert(
    fc.property(fc.array(batchSpec, { minLength: 1, maxLength: 3 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (specs, where, xor) => {
      const buf = Buffer.concat(specs.map((s) => makeBatch(s)));
      const at = where % buf.length;
      // Position inside its batch: base_offset (0-7) and partition_leader_epoch (12-15) are not covered.
      let start = 0;
      while (start + 12 + buf.readInt32BE(start + 8) <= at) start += 12 + buf.readInt32BE(start + 8);
      const rel = at - start;
      buf[at] ^= xor;
      if (rel < 8 || (rel >= 12 && rel < 16)) {
        validateIncoming(buf); // still valid
      } else {
        assert.throws(() => validateIncoming(buf), CorruptAppendError);
      }
    }),
  );
});

test('any truncation of a batch sequence is rejected', () => {
  fc.assert(
    fc.property(fc.array(batchSpec, { minLength: 1, maxLength: 3 }), fc.nat(), (specs, cut) => {
      const buf = Buffer.concat(specs.map((s) => makeBatch(s)));
      const keep = cut % buf.length; // strictly shorter
      const boundaries = new Set<number>();
      for (let at = 0; at < buf.length; at += 12 + buf.readInt32BE(at + 8)) boundaries.add(at);
      if (keep > 0 && boundaries.has(keep)) {
        validateIncoming(buf.subarray(0, keep)); // a shorter sequence of whole batches is fine
      } else {
        assert.throws(() => validateIncoming(buf.subarray(0, keep)), CorruptAppendError);
      }
    }),
  );
});
