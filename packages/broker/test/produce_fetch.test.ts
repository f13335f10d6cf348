import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart, batchCompression } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import { withBroker } from './helpers.ts';
import { batchOf, recordsIn, streamRecords, topicSpec } from './raw_client.ts';

test('produce to a 3-partition topic and stream every partition back', async () => {
  await withBroker(async ({ client }) => {
    const created = await client.request('CreateTopic', { name: 'orders', spec: topicSpec({ partitions: 3 }), dryRun: false });
    assert.equal(created.errorCode, ErrorCode.None, created.errorMessage ?? '');
    // Two batches per partition in one request, then one more request.
    const res = await client.request('Produce', {
      acks: 1, timeoutMs: 1000, smartmodules: [],
      topics: [{
        name: 'orders',
        partitions: [0, 1, 2].map((p) => ({
          partition: p,
          records: Buffer.concat([batchOf([`p${p}-a`, `p${p}-b`], { keys: ['k1', 'k2'] }), batchOf([`p${p}-c`])]),
        })),
      }],
    });
    assert.equal(res.topics.length, 1);
    for (const p of res.topics[0].partitions) {
      assert.equal(p.errorCode, ErrorCode.None, p.errorMessage ?? '');
      assert.equal(p.baseOffset, 0);
      assert.equal(p.lastOffset, 2);
    }
    const again = await client.request('Produce', {
      acks: 1, timeoutMs: 1000, smartmodules: [],
      topics: [{ name: 'orders', partitions: [{ partition: 1, records: batchOf(['p1-d', 'p1-e']) }] }],
    });
    assert.deepEqual([again.topics[0].partitions[0].baseOffset, again.topics[0].partitions[0].lastOffset], [3, 4]);

    for (const p of [0, 1, 2]) {
      const responses = await client.stream({ topic: 'orders', partition: p, startKind: OffsetStart.Beginning, stopAtEnd: true }).collect();
      assert.equal(responses[0].startOffset, 0);
      assert.ok(responses.at(-1)!.endOfStream);
      const recs = streamRecords(responses);
      const expected = [`p${p}-a`, `p${p}-b`, `p${p}-c`, ...(p === 1 ? ['p1-d', 'p1-e'] : [])];
      assert.deepEqual(recs.map((r) => r.value), expected);
      assert.deepEqual(recs.map((r) => r.offset), expected.map((_, i) => i));
      assert.deepEqual(recs.slice(0, 2).map((r) => r.key), ['k1', 'k2']);
    }

    const offsets = await client.request('ListOffsets', { topic: 'orders', partitions: [] });
    assert.deepEqual(offsets.partitions.map((p) => p.highWatermark), [3, 5, 3]);
    assert.deepEqual(offsets.partitions.map((p) => p.logStartOffset), [0, 0, 0]);
  });
});

test('a stream opened at the end receives batches produced afterwards', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'live', spec: topicSpec(), dryRun: false });
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'live', partitions: [{ partition: 0, records: batchOf(['old']) }] }] });
    const s = client.stream({ topic: 'live', startKind: OffsetStart.End });
    const first = (await s.next())!;
    assert.equal(first.startOffset, 1);
    assert.equal(first.records.length, 0);
    assert.equal(first.endOfStream, false);
    for (const v of ['new-1', 'new-2']) {
      await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'live', partitions: [{ partition: 0, records: batchOf([v]) }] }] });
    }
    const got = await s.collect((all) => streamRecords(all).length >= 2);
    assert.deepEqual(streamRecords(got).map((r) => [r.offset, r.value]), [[1, 'new-1'], [2, 'new-2']]);
    assert.ok(got.every((r) => r.startOffset === -1), 'only the first response carries startOffset');
    await s.close();
    const last = (await s.next())!;
    assert.equal(last.endOfStream, true);
  });
});

test('flow control: the server stops at windowBytes until the client acknowledges', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'flow', spec: topicSpec(), dryRun: false });
    const batches: Buffer[] = [];
    for (let i = 0; i < 10; i++) batches.push(batchOf([`${i}`.padEnd(400, 'x')]));
    const batchSize = batches[0].length;
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'flow', partitions: [{ partition: 0, records: Buffer.concat(batches) }] }] });
    const window = batchSize * 2;
    const s = client.stream({ topic: 'flow', startKind: OffsetStart.Beginning, windowBytes: window, maxBytes: window });
    const received: Buffer[] = [];
    const first = (await s.next())!;
    received.push(first.records);
    assert.ok(first.records.length > 0 && first.records.length <= window);
    assert.equal(await s.idleFor(300), true, 'nothing more is sent while the window is full');
    let total = first.records.length;
    let offsetSeen = first.nextOffset;
    while (offsetSeen < 10) {
      s.ack(offsetSeen, total);
      total = 0;
      const r = (await s.next())!;
      assert.ok(r.records.length <= window);
      received.push(r.records);
      total += r.records.length;
      offsetSeen = r.nextOffset;
    }
    const values = recordsIn(Buffer.concat(received)).map((r) => r.value.toString()[0]);
    assert.deepEqual(values, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});

test('start positions: beginning, end, from end, absolute, timestamp; end offset and stopAtEnd', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'pos', spec: topicSpec(), dryRun: false });
    // Ten one-record batches with timestamps 1000, 2000, ... 10000.
    const records = Buffer.concat(Array.from({ length: 10 }, (_, i) => batchOf([`v${i}`], { timestamp: (i + 1) * 1000 })));
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'pos', partitions: [{ partition: 0, records }] }] });

    const startOf = async (startKind: number, startValue: number): Promise<{ start: number; values: string[] }> => {
      const rs = await client.stream({ topic: 'pos', startKind, startValue, stopAtEnd: true }).collect();
      assert.equal(rs.at(-1)!.errorCode, ErrorCode.None, rs.at(-1)!.errorMessage ?? '');
      return { start: rs[0].startOffset, values: streamRecords(rs, rs[0].startOffset).map((r) => r.value) };
    };
    assert.deepEqual(await startOf(OffsetStart.Beginning, 0), { start: 0, values: ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'] });
    assert.deepEqual(await startOf(OffsetStart.End, 0), { start: 10, values: [] });
    assert.deepEqual(await startOf(OffsetStart.FromEnd, 3), { start: 7, values: ['v7', 'v8', 'v9'] });
    assert.deepEqual((await startOf(OffsetStart.FromEnd, 50)).start, 0);
    assert.deepEqual(await startOf(OffsetStart.Absolute, 4), { start: 4, values: ['v4', 'v5', 'v6', 'v7', 'v8', 'v9'] });
    assert.deepEqual(await startOf(OffsetStart.Timestamp, 5500), { start: 5, values: ['v5', 'v6', 'v7', 'v8', 'v9'] });
    assert.deepEqual(await startOf(OffsetStart.Timestamp, 99_000), { start: 10, values: [] });

    const out = await client.stream({ topic: 'pos', startKind: OffsetStart.Absolute, startValue: 11 }).collect();
    assert.equal(out.length, 1);
    assert.equal(out[0].errorCode, ErrorCode.OffsetOutOfRange);
    assert.equal(out[0].endOfStream, true);

    // End offset (inclusive), without stopAtEnd: the stream ends by itself.
    const ranged = await client.stream({ topic: 'pos', startKind: OffsetStart.Absolute, startValue: 2, endOffset: 6 }).collect();
    assert.ok(ranged.at(-1)!.endOfStream);
    assert.deepEqual(streamRecords(ranged, 2).filter((r) => r.offset <= 6).map((r) => r.value), ['v2', 'v3', 'v4', 'v5', 'v6']);
    assert.ok(streamRecords(ranged).every((r) => r.offset <= 6), 'no batch past the end offset is sent');

    const lo = await client.request('ListOffsets', { topic: 'pos', partitions: [{ partition: 0, timestamp: 3500 }] });
    assert.equal(lo.partitions[0].timestampOffset, 3);
  });
});

test('topic compression: batches are stored with the topic codec', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'zipped', spec: topicSpec({ compression: 'gzip' }), dryRun: false });
    const res = await client.request('Produce', {
      acks: 1, timeoutMs: 1000, smartmodules: [],
      topics: [{ name: 'zipped', partitions: [{ partition: 0, records: Buffer.concat([batchOf(['a', 'b']), batchOf(['c'], { compression: 3 })]) }] }],
    });
    assert.equal(res.topics[0].partitions[0].errorCode, ErrorCode.None, res.topics[0].partitions[0].errorMessage ?? '');
    const rs = await client.stream({ topic: 'zipped', stopAtEnd: true }).collect();
    const data = Buffer.concat(rs.map((r) => r.records));
    for (let at = 0; at < data.length; at += batchTotalSize(data, at)) assert.equal(batchCompression(data, at), 1);
    assert.deepEqual(recordsIn(data).map((r) => [r.offset, r.value.toString()]), [[0, 'a'], [1, 'b'], [2, 'c']]);
  });
});

test('pipelined produce requests to one partition keep their order; acks=0 gets no response', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'pipe', spec: topicSpec(), dryRun: false });
    const pending = Array.from({ length: 50 }, (_, i) => client.request('Produce', {
      acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'pipe', partitions: [{ partition: 0, records: batchOf([`m${i}`]) }] }],
    }));
    const results = await Promise.all(pending);
    assert.deepEqual(results.map((r) => r.topics[0].partitions[0].baseOffset), Array.from({ length: 50 }, (_, i) => i));
    client.send('Produce', { acks: 0, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'pipe', partitions: [{ partition: 0, records: batchOf(['silent']) }] }] });
    const rs = await client.stream({ topic: 'pipe', startKind: OffsetStart.Absolute, startValue: 50 }).collect((all) => streamRecords(all).length > 0);
    assert.deepEqual(streamRecords(rs).map((r) => r.value), ['silent']);
    assert.equal(client.unsolicited.length, 0);
  });
});
