// The receive and fetch paths recycle buffers (request frames, tail-cache slabs, disk reads):
// pipelined large produce requests with a consumer tailing meanwhile must still store and deliver
// every byte exactly as sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { withBroker } from './helpers.ts';
import { batchOf, streamRecords, topicSpec } from './raw_client.ts';

test('large pipelined produce requests, a tailing consumer and a replay see every record intact', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'big', spec: topicSpec({ maxRecordBytes: 8 * 1024 * 1024 }), dryRun: false });
    // Request sizes: below the 64 KiB read scratch, above it, and above a 2 MiB tail-cache slab.
    const sizes = [1, 40, 300, 3000, 700, 60, 2, 2500, 500, 100, 10, 800, 3000, 200, 5, 1000];
    const requests = sizes.map((n, i) => Array.from({ length: n }, (_, j) => `r${i}.${j}:${String.fromCharCode(97 + ((i + j) % 26)).repeat(1000)}`));
    const expected = requests.flat();
    const tail = client.stream({ topic: 'big', startKind: OffsetStart.Beginning, maxBytes: 256 * 1024 });
    const results = await Promise.all(requests.map((values) => client.request('Produce', {
      acks: 1, timeoutMs: 10_000, smartmodules: [], topics: [{ name: 'big', partitions: [{ partition: 0, records: batchOf(values) }] }],
    })));
    for (const r of results) assert.equal(r.topics[0].partitions[0].errorCode, ErrorCode.None, r.topics[0].partitions[0].errorMessage ?? '');
    const tailed = await tail.collect((all) => streamRecords(all).length >= expected.length, 20_000);
    assert.equal(streamRecords(tailed).length, expected.length);
    assert.ok(streamRecords(tailed).every((r, i) => r.value === expected[i] && r.offset === i), 'tailing consumer got every record intact');
    const replay = await client.stream({ topic: 'big', startKind: OffsetStart.Beginning, stopAtEnd: true, maxBytes: 1024 * 1024 }).collect(undefined, 20_000);
    const got = streamRecords(replay);
    assert.equal(got.length, expected.length);
    assert.ok(got.every((r, i) => r.value === expected[i] && r.offset === i), 'replay got every record intact');
  });
});
