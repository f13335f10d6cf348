// Snapshots (kind 2) between the log and the graph: records with snapshot headers become
// snapshots and back, byte for byte; a record missing its width or height is refused by offset;
// a malformed snapshot in a batch is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBatch } from '@eddy/protocol';
import { KIND_MESSAGE, KIND_SNAPSHOT, MessageBatch, MessageBatchError } from '@eddy/dataflow';
import { SnapshotRecordError, messagesFromRecordBatches, recordBatchFromMessages } from '@eddy/dataflow/internal';

const h = (k: string, v: string) => [k, Buffer.from(v)] as [string, Buffer];

test('a record with snapshot headers is a snapshot, and a sink snapshot the same record again', () => {
  const frame = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const records = [
    { value: frame, timestamp: 1_000, headers: [h('snapshot-format', 'rgb24'), h('camera', 'door'), h('snapshot-width', '2'), h('snapshot-height', '2')] },
    // width/height headers without a format: an ordinary message keeping them as properties
    { value: Buffer.from('{}'), timestamp: 2_000, headers: [h('snapshot-width', '2'), h('content-type', 'application/json')] },
  ];
  const { messages } = messagesFromRecordBatches(encodeBatch(records), 0, 'frames', 3);
  const [snap, msg] = messages.decodeAll();
  assert.equal(snap.kind, KIND_SNAPSHOT);
  assert.deepEqual([snap.contentType, snap.width, snap.height, snap.topic], ['rgb24', 2, 2, 'frames']);
  assert.deepEqual(snap.payload, frame);
  assert.deepEqual(snap.properties.map(([k, v]) => [k, v.toString()]), [['camera', 'door']]);
  assert.equal(msg.kind, KIND_MESSAGE);
  assert.equal(msg.contentType, 'application/json');
  assert.deepEqual(msg.properties.map(([k, v]) => [k, v.toString()]), [['snapshot-width', '2']]);
  // MessageBatch.from accepts what the source built
  assert.equal(MessageBatch.from(messages.bytes).count, 2);

  const back = Buffer.concat(recordBatchFromMessages(messages));
  const want = encodeBatch([
    { value: frame, timestamp: 1_000, headers: [h('snapshot-format', 'rgb24'), h('snapshot-width', '2'), h('snapshot-height', '2'), h('camera', 'door')] },
    { value: Buffer.from('{}'), timestamp: 2_000, headers: [h('content-type', 'application/json'), h('snapshot-width', '2')] },
  ], { producerEpoch: 0 });
  assert.deepEqual(back.subarray(61), want.subarray(61)); // records section (after the batch header)
  const again = messagesFromRecordBatches(back, 0, 'frames', 3).messages.decodeAll();
  assert.deepEqual(again[0], snap);
});

test('a snapshot record without a decimal width or height is refused, naming its offset; a short snapshot is malformed', () => {
  const bad = encodeBatch([{ value: Buffer.from('x'), timestamp: 1, headers: [h('snapshot-format', 'rgb24'), h('snapshot-width', '2')] }]);
  assert.throws(() => messagesFromRecordBatches(bad, 0, 't', 0), (e: Error) => e instanceof SnapshotRecordError && /offset 0 .*no snapshot-height header/.test(e.message));
  const nan = encodeBatch([{ value: Buffer.from('x'), timestamp: 1, headers: [h('snapshot-format', 'rgb24'), h('snapshot-width', 'wide'), h('snapshot-height', '1')] }]);
  assert.throws(() => messagesFromRecordBatches(nan, 0, 't', 0), /snapshot-width "wide", not a decimal u32/);
  const batch = MessageBatch.of([{ timestamp: { physical: 1n, counter: 0, node: 0 }, kind: KIND_SNAPSHOT, contentType: 'rgb24', width: 1, height: 1, payload: Buffer.from([1, 2, 3]) }]);
  const bytes = Buffer.from(batch.bytes);
  bytes.writeUInt32LE(4, 4 + 4); // payload length 4: shorter than width + height
  assert.throws(() => MessageBatch.from(bytes), (e: Error) => e instanceof MessageBatchError && /shorter than its width and height/.test(e.message));
});
