// Issue 10: a batch with a valid CRC but records a consumer cannot decode is refused at produce
// (CorruptRecord, to that producer only) and the partition stays readable end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { BATCH_HEADER_SIZE, BatchLayout, writeBatchCrc } from '@eddy/protocol/internal';
import { launchBroker } from './support/launcher.ts';
import { RawClient, batchOf, streamRecords, topicSpec } from './raw_client.ts';

function garbageRecords(): Buffer {
  const b = batchOf(['a', 'b', 'c']);
  for (let i = BATCH_HEADER_SIZE + 4; i < b.length; i++) b[i] = 0xff;
  writeBatchCrc(b, 0);
  return b;
}

function hugeDelta(compression: 0 | 1 = 0): Buffer {
  const b = batchOf(['a', 'b', 'c'], { compression });
  b.writeInt32BE(2_000_000_000, BatchLayout.lastOffsetDelta);
  writeBatchCrc(b, 0);
  return b;
}

test('poisoned batches are refused with CorruptRecord; the partition stays readable across a restart', async () => {
  const launched = await launchBroker();
  let client = await RawClient.connect(launched.port);
  try {
    for (const compression of ['any', 'zstd']) {
      const topic = `p-${compression}`;
      assert.equal((await client.request('CreateTopic', { name: topic, spec: topicSpec({ compression }), dryRun: false })).errorCode, ErrorCode.None);
      const produce = (records: Buffer) => client.request('Produce', {
        acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: topic, partitions: [{ partition: 0, records }] }],
      }).then((r) => r.topics[0].partitions[0]);
      assert.equal((await produce(batchOf(['one']))).errorCode, ErrorCode.None);
      const bad: [Buffer, RegExp][] = [
        [garbageRecords(), /^batch 0 at byte 0: record 0 at byte 61: /],
        [hugeDelta(), /record count 3 does not match last_offset_delta 2000000000/],
        [hugeDelta(1), /record count 3 does not match last_offset_delta 2000000000/],
        // A good batch followed by a poisoned one: the whole request is refused.
        [Buffer.concat([batchOf(['fine']), garbageRecords()]), /^batch 1 at byte \d+: record 0/],
      ];
      for (const [records, re] of bad) {
        const r = await produce(records);
        assert.equal(r.errorCode, ErrorCode.CorruptRecord, r.errorMessage ?? '');
        assert.match(r.errorMessage ?? '', re);
        assert.equal(r.baseOffset, -1);
      }
      assert.equal((await produce(batchOf(['two', 'three'], { compression: 1 }))).errorCode, ErrorCode.None);
      const lo = await client.request('ListOffsets', { topic, partitions: [] });
      assert.equal(lo.partitions[0].highWatermark, 3, 'the refused batches moved no offsets');
    }
    await client.close();
    await launched.restart();
    client = await RawClient.connect(launched.port);
    for (const topic of ['p-any', 'p-zstd']) {
      const s = client.stream({ topic, startKind: OffsetStart.Beginning, stopAtEnd: true });
      const got = await s.collect();
      assert.ok(got.every((r) => r.errorCode === ErrorCode.None));
      assert.deepEqual(streamRecords(got).map((r) => [r.offset, r.value]), [[0, 'one'], [1, 'two'], [2, 'three']]);
    }
  } finally {
    await client.close();
    await launched.close();
  }
});
