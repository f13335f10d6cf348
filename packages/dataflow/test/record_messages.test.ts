import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBatch } from '@eddy/protocol';
import { MessageBatch } from '@eddy/dataflow';
import { messagesFromRecordBatches, recordBatchFromMessages } from '@eddy/dataflow/internal';

const message = fc.record({
  t: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  /** ns past the ms: a sink record's timestamp drops them (floor). */
  sub: fc.integer({ min: 0, max: 999_999 }),
  payload: fc.uint8Array({ maxLength: 300 }),
  props: fc.option(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'content-type'), fc.string({ maxLength: 20 })), { maxLength: 3, selector: (e) => e[0] }), { nil: undefined }),
  contentType: fc.option(fc.constantFrom('application/json', 'text/plain'), { nil: undefined }),
});

test('sink batches are the record batches encodeBatch makes, and read back as the same messages', () => {
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (msgs, seq) => {
      const batch = MessageBatch.of(msgs.map((m) => ({
        timestamp: { physical: BigInt(m.t) * 1_000_000n + BigInt(m.sub), counter: 0, node: 0 },
        topic: 'in',
        contentType: m.contentType,
        payload: m.payload,
        properties: m.props,
      })));
      const got = Buffer.concat(recordBatchFromMessages(batch, { producerId: 77, firstSequence: seq }));
      const want = encodeBatch(msgs.map((m) => ({
        value: m.payload,
        timestamp: m.t,
        headers: [
          ...(m.contentType ? [['content-type', Buffer.from(m.contentType)] as const] : []),
          ...(m.props ?? []).map(([k, v]) => [k, Buffer.from(v)] as const),
        ],
      })), { producerId: 77, producerEpoch: 0, firstSequence: seq });
      assert.deepEqual(got, want);
      const back = messagesFromRecordBatches(got, 0, 'out', 5).messages.decodeAll();
      assert.equal(back.length, msgs.length);
      back.forEach((m, i) => {
        assert.equal(m.timestamp.physical, BigInt(msgs[i].t) * 1_000_000n); // record ms → ns exactly
        assert.equal(m.timestamp.node, 5);
        assert.equal(m.topic, 'out');
        assert.deepEqual(new Uint8Array(m.payload), msgs[i].payload);
        assert.equal(m.contentType, msgs[i].contentType ?? '');
        assert.deepEqual(m.properties.map(([k, v]) => [k, v.toString()]), msgs[i].props ?? []);
      });
    }),
    { numRuns: 200 },
  );
});
