import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { withBroker, eventually } from './helpers.ts';
import { RawClient, batchOf, streamRecords, topicSpec } from './raw_client.ts';

/** A minimal valid module exporting `filter(i32, i32, i32) -> i32`, encoded by hand. */
const FILTER_WASM = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x0a, 0x01, 0x06, 0x66, 0x69, 0x6c, 0x74, 0x65, 0x72, 0x00, 0x00,
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b,
]);

test('topic names and specs are validated with typed errors', async () => {
  await withBroker(async ({ client }) => {
    for (const name of ['', 'Upper', '-lead', 'trail-', 'under_score', 'dot.ted', 'a'.repeat(64), 'sp ace']) {
      const r = await client.request('CreateTopic', { name, spec: topicSpec(), dryRun: false });
      assert.equal(r.errorCode, ErrorCode.InvalidTopicName, `name ${JSON.stringify(name)}`);
      assert.match(r.errorMessage!, /invalid topic name/);
      assert.ok(!r.errorMessage!.includes('\n'));
    }
    for (const name of ['a', 'a-b', '0', 'x'.repeat(63), 'my-topic-2']) {
      const r = await client.request('CreateTopic', { name, spec: topicSpec(), dryRun: true });
      assert.equal(r.errorCode, ErrorCode.None, `${name}: ${r.errorMessage}`);
    }
    const bad: [Partial<ReturnType<typeof topicSpec>>, RegExp][] = [
      [{ partitions: 1001 }, /partitions/],
      [{ partitions: -2 }, /partitions/],
      [{ replicationFactor: 3 }, /replication/],
      [{ retentionMs: -5 }, /retention time/],
      [{ retentionBytes: -7 }, /retention size/],
      [{ segmentBytes: 10 }, /segment size/],
      [{ maxRecordBytes: 1 }, /max record size/],
      [{ compression: 'brotli' }, /compression/],
      [{ flush: 'never' }, /flush/],
    ];
    for (const [over, re] of bad) {
      const r = await client.request('CreateTopic', { name: 'cfg', spec: topicSpec(over), dryRun: false });
      assert.equal(r.errorCode, ErrorCode.InvalidConfig, JSON.stringify(over));
      assert.match(r.errorMessage!, re);
    }
    // Dry runs create nothing.
    assert.equal((await client.request('ListTopics', { names: [] })).topics.length, 0);

    assert.equal((await client.request('CreateTopic', { name: 'dup', spec: topicSpec(), dryRun: false })).errorCode, ErrorCode.None);
    assert.equal((await client.request('CreateTopic', { name: 'dup', spec: topicSpec(), dryRun: false })).errorCode, ErrorCode.TopicAlreadyExists);
    const listed = await client.request('ListTopics', { names: ['dup'] });
    assert.deepEqual(listed.topics[0].spec, {
      partitions: 1, replicationFactor: 1, retentionMs: 7 * 24 * 3600 * 1000, retentionBytes: -1,
      segmentBytes: 1024 * 1024 * 1024, maxRecordBytes: 1024 * 1024, compression: 'any', flush: 'os',
    });
    assert.equal(listed.topics[0].status.resolution, 'Provisioned');
    assert.equal((await client.request('ListTopics', { names: ['nope'] })).errorCode, ErrorCode.UnknownTopic);
    assert.equal((await client.request('DeleteTopic', { name: 'nope' })).errorCode, ErrorCode.UnknownTopic);
  });
});

test('produce errors are per partition: unknown topic, unknown partition, record too large, corrupt', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'small', spec: topicSpec({ partitions: 2, maxRecordBytes: 1024 }), dryRun: false });
    const corrupt = batchOf(['x']);
    corrupt[corrupt.length - 1] ^= 0xff; // CRC no longer matches
    const res = await client.request('Produce', {
      acks: 1, timeoutMs: 1000, smartmodules: [],
      topics: [
        {
          name: 'small',
          partitions: [
            { partition: 0, records: batchOf(['fits']) },
            { partition: 1, records: batchOf(['y'.repeat(2000)]) },
            { partition: 7, records: batchOf(['z']) },
            { partition: 1, records: corrupt },
            { partition: 1, records: batchOf(['q']).subarray(0, 40) },
          ],
        },
        { name: 'missing', partitions: [{ partition: 0, records: batchOf(['m']) }] },
      ],
    });
    const [small, missing] = res.topics;
    assert.deepEqual(small.partitions.map((p) => p.errorCode), [
      ErrorCode.None, ErrorCode.RecordTooLarge, ErrorCode.UnknownPartition, ErrorCode.CorruptMessage, ErrorCode.CorruptMessage,
    ]);
    assert.equal(small.partitions[0].baseOffset, 0);
    assert.match(small.partitions[1].errorMessage!, /exceeds topic 'small' max record size of 1024 bytes/);
    assert.equal(missing.partitions[0].errorCode, ErrorCode.UnknownTopic);
    // Nothing of the failed entries was stored.
    const lo = await client.request('ListOffsets', { topic: 'small', partitions: [] });
    assert.deepEqual(lo.partitions.map((p) => p.highWatermark), [1, 0]);
    const s = await client.stream({ topic: 'missing' }).collect();
    assert.equal(s[0].errorCode, ErrorCode.UnknownTopic);
    assert.equal(s[0].endOfStream, true);
    const s2 = await client.stream({ topic: 'small', partition: 5 }).collect();
    assert.equal(s2[0].errorCode, ErrorCode.UnknownPartition);
  });
});

test('deleting a topic removes its data and ends its streams', async () => {
  await withBroker(async ({ client, dataDir }) => {
    await client.request('CreateTopic', { name: 'doomed', spec: topicSpec({ partitions: 2 }), dryRun: false });
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'doomed', partitions: [{ partition: 0, records: batchOf(['a']) }] }] });
    await client.request('OffsetCommit', { consumer: 'c1', topic: 'doomed', partitions: [{ partition: 0, offset: 1 }] });
    const spuDir = join(dataDir, 'spu-5001');
    assert.deepEqual(readdirSync(spuDir).filter((d) => d.startsWith('doomed')).sort(), ['doomed-0', 'doomed-1']);
    const s = client.stream({ topic: 'doomed', startKind: OffsetStart.End });
    await s.next();
    assert.equal((await client.request('DeleteTopic', { name: 'doomed' })).errorCode, ErrorCode.None);
    const end = (await s.next())!;
    assert.equal(end.endOfStream, true);
    assert.equal(end.errorCode, ErrorCode.UnknownTopic);
    assert.deepEqual(readdirSync(spuDir).filter((d) => d.startsWith('doomed')), []);
    assert.equal((await client.request('ListTopics', { names: [] })).topics.length, 0);
    assert.equal((await client.request('ListConsumers', { topic: null })).consumers.length, 0);
    // The name is free again and the new topic starts empty.
    await client.request('CreateTopic', { name: 'doomed', spec: topicSpec(), dryRun: false });
    assert.equal((await client.request('ListOffsets', { topic: 'doomed', partitions: [] })).partitions[0].highWatermark, 0);
  });
});

test('named consumer offsets: commit, fetch, list, delete; durable across restart', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { startBroker } = await import('../src/mod.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-offsets-'));
  try {
    let broker = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
    let client = await RawClient.connect(broker.port);
    await client.request('CreateTopic', { name: 'events', spec: topicSpec({ partitions: 2 }), dryRun: false });
    assert.equal((await client.request('OffsetCommit', { consumer: 'app', topic: 'events', partitions: [{ partition: 0, offset: 5 }, { partition: 1, offset: 9 }] })).errorCode, ErrorCode.None);
    assert.equal((await client.request('OffsetCommit', { consumer: 'app', topic: 'events', partitions: [{ partition: 0, offset: 7 }] })).errorCode, ErrorCode.None);
    assert.equal((await client.request('OffsetCommit', { consumer: 'other', topic: 'events', partitions: [{ partition: 1, offset: 1 }] })).errorCode, ErrorCode.None);
    assert.equal((await client.request('OffsetCommit', { consumer: 'app', topic: 'events', partitions: [{ partition: 4, offset: 1 }] })).errorCode, ErrorCode.UnknownPartition);
    assert.equal((await client.request('OffsetCommit', { consumer: 'app', topic: 'nope', partitions: [{ partition: 0, offset: 1 }] })).errorCode, ErrorCode.UnknownTopic);
    await client.close();
    await broker.close();

    broker = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
    client = await RawClient.connect(broker.port);
    const f = await client.request('OffsetFetch', { consumer: 'app', topic: 'events', partitions: [] });
    assert.deepEqual(f.partitions, [{ partition: 0, offset: 7 }, { partition: 1, offset: 9 }]);
    const none = await client.request('OffsetFetch', { consumer: 'nobody', topic: 'events', partitions: [1] });
    assert.deepEqual(none.partitions, [{ partition: 1, offset: -1 }]);
    const list = await client.request('ListConsumers', { topic: 'events' });
    assert.deepEqual(list.consumers.map((c) => [c.consumer, c.partition, c.offset]), [['app', 0, 7], ['app', 1, 9], ['other', 1, 1]]);
    assert.ok(list.consumers.every((c) => c.modifiedMs > 0));
    assert.equal((await client.request('DeleteConsumer', { consumer: 'app', topic: null })).errorCode, ErrorCode.None);
    assert.equal((await client.request('DeleteConsumer', { consumer: 'app', topic: null })).errorCode, ErrorCode.ConsumerNotFound);
    assert.deepEqual((await client.request('ListConsumers', { topic: null })).consumers.map((c) => c.consumer), ['other']);
    await client.close();
    await broker.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('ApiVersions, ListSpus, ListPartitions and WatchMetadata', async () => {
  await withBroker(async ({ client, broker }) => {
    const v = await client.request('ApiVersions', { clientVersion: 'test' });
    assert.equal(v.errorCode, ErrorCode.None);
    assert.ok(v.apis.some((a) => a.apiKey === 1) && v.apis.some((a) => a.apiKey === 22));
    const spus = await client.request('ListSpus', {});
    assert.deepEqual(spus.spus.map((s) => [s.spec.id, s.spec.port, s.status.resolution]), [[5001, broker.port, 'Online']]);

    const watcher = await RawClient.connect(broker.port);
    const watchCorr = 900;
    const changes: { op: string; kind: string; name: string; resolution?: string }[] = [];
    watcher.socket.on('data', () => {});
    // WatchMetadata is streaming: read raw frames from the unsolicited queue after the first answer.
    const first = await watcher.request('WatchMetadata', { kinds: [] }, watchCorr);
    assert.equal(first.errorCode, ErrorCode.None);
    assert.deepEqual(first.changes.map((c) => [c.op, c.kind, c.name]), [['sync', 'spu', '5001']]);

    await client.request('CreateTopic', { name: 'watched', spec: topicSpec({ partitions: 2 }), dryRun: false });
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'watched', partitions: [{ partition: 1, records: batchOf(['a', 'b']) }] }] });
    const parts = await client.request('ListPartitions', { topic: 'watched' });
    assert.deepEqual(parts.partitions.map((p) => [p.status.partition, p.status.leader, p.status.highWatermark]), [[0, 5001, 0], [1, 5001, 2]]);
    assert.ok(parts.partitions[1].status.sizeBytes > 0);
    await client.request('DeleteTopic', { name: 'watched' });

    const { WatchMetadataResponse } = await import('@eddy/protocol');
    const { decode } = await import('@eddy/protocol/internal');
    await eventually(() => watcher.unsolicited.filter((u) => u.correlationId === watchCorr).length >= 4, 3000, 'watch events');
    for (const u of watcher.unsolicited.filter((x) => x.correlationId === watchCorr)) {
      const r = decode(WatchMetadataResponse, u.body, 4);
      for (const c of r.changes) changes.push({ op: c.op, kind: c.kind, name: c.name, resolution: c.topic?.status.resolution });
    }
    assert.deepEqual(changes, [
      { op: 'upsert', kind: 'topic', name: 'watched', resolution: 'Pending' },
      { op: 'upsert', kind: 'topic', name: 'watched', resolution: 'Provisioned' },
      { op: 'upsert', kind: 'topic', name: 'watched', resolution: 'Deleting' },
      { op: 'delete', kind: 'topic', name: 'watched', resolution: 'Deleting' },
    ]);
    await watcher.close();
  });
});

test('SmartModules: create, list, delete; invalid wasm rejected; a stream through a module without the ABI exports fails', async () => {
  await withBroker(async ({ client, dataDir }) => {
    const bad = await client.request('CreateSmartModule', { name: 'junk', version: '1.0.0', description: '', wasm: Buffer.from('not wasm') });
    assert.equal(bad.errorCode, ErrorCode.SmartModuleInvalid);
    const ok = await client.request('CreateSmartModule', { name: 'my-filter', version: '0.1.0', description: 'keeps nothing', wasm: FILTER_WASM });
    assert.equal(ok.errorCode, ErrorCode.None, ok.errorMessage ?? '');
    assert.equal((await client.request('CreateSmartModule', { name: 'my-filter', version: '0.1.0', description: '', wasm: FILTER_WASM })).errorCode, ErrorCode.SmartModuleExists);
    const list = await client.request('ListSmartModules', { names: [] });
    assert.equal(list.modules.length, 1);
    const m = list.modules[0];
    assert.equal(m.name, 'my-filter');
    assert.deepEqual(m.spec.exports, ['filter']);
    assert.equal(m.spec.sizeBytes, FILTER_WASM.length);
    assert.match(m.spec.sha256, /^[0-9a-f]{64}$/);
    assert.ok(existsSync(join(dataDir, 'smartmodules', `${m.spec.sha256}.wasm`)));

    await client.request('CreateTopic', { name: 't', spec: topicSpec(), dryRun: false });
    const rs = await client.stream({
      topic: 't',
      smartmodules: [{ name: 'my-filter', wasm: null, kind: 'filter', params: {}, lookbackLast: -1, lookbackAgeMs: -1, initialAccumulator: null, version: -1 }],
    }).collect();
    // It compiles and exports `filter`, but has no memory/alloc: the engine refuses to run it.
    assert.equal(rs[0].errorCode, ErrorCode.SmartModuleInvalid, rs[0].errorMessage ?? '');
    assert.match(rs[0].errorMessage ?? '', /my-filter/);
    assert.equal(rs[0].endOfStream, true);

    assert.equal((await client.request('DeleteSmartModule', { name: 'my-filter' })).errorCode, ErrorCode.None);
    assert.equal((await client.request('DeleteSmartModule', { name: 'my-filter' })).errorCode, ErrorCode.SmartModuleNotFound);
    assert.ok(!existsSync(join(dataDir, 'smartmodules', `${m.spec.sha256}.wasm`)));
  });
});

test('retention removes old segments in the background; reading before the log start is an error', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'short', spec: topicSpec({ segmentBytes: 1024, retentionBytes: 2048 }), dryRun: false });
    for (let i = 0; i < 40; i++) {
      await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'short', partitions: [{ partition: 0, records: batchOf([`r${i}`.padEnd(200, '.')]) }] }] });
    }
    // Retention may take several passes (one per check interval): wait until it has settled, so
    // the bounds read below are the ones the stream answers with.
    let start = -1;
    await eventually(async () => {
      const now = (await client.request('ListOffsets', { topic: 'short', partitions: [] })).partitions[0].logStartOffset;
      const settled = now > 20 && now === start;
      start = now;
      if (!settled) await new Promise((r) => setTimeout(r, 150));
      return settled;
    }, 5000, 'retention to advance the log start and settle');
    const lo = await client.request('ListOffsets', { topic: 'short', partitions: [] });
    assert.equal(lo.partitions[0].highWatermark, 40);
    assert.ok(lo.partitions[0].logStartOffset > 20, `log start ${lo.partitions[0].logStartOffset}`);
    const rs = await client.stream({ topic: 'short', startKind: OffsetStart.Absolute, startValue: 0 }).collect();
    assert.equal(rs[0].errorCode, ErrorCode.OffsetOutOfRange);
    assert.equal(rs[0].errorMessage, `offset 0 is out of range: partition short/0 holds offsets ${lo.partitions[0].logStartOffset} to 39 (next offset 40)`);
    const past = await client.stream({ topic: 'short', startKind: OffsetStart.Absolute, startValue: 41 }).collect();
    assert.equal(past[0].errorMessage, `offset 41 is out of range: partition short/0 holds offsets ${lo.partitions[0].logStartOffset} to 39 (next offset 40)`);
    await client.request('CreateTopic', { name: 'blank', spec: topicSpec(), dryRun: false });
    const blank = await client.stream({ topic: 'blank', startKind: OffsetStart.Absolute, startValue: 5 }).collect();
    assert.equal(blank[0].errorCode, ErrorCode.OffsetOutOfRange);
    assert.equal(blank[0].errorMessage, 'offset 5 is out of range: partition blank/0 is empty (next offset 0)');
    const fromStart = await client.stream({ topic: 'short', startKind: OffsetStart.Beginning, stopAtEnd: true }).collect();
    const recs = streamRecords(fromStart, fromStart[0].startOffset);
    assert.equal(recs[0].offset, fromStart[0].startOffset);
    assert.equal(recs.at(-1)!.offset, 39);
  }, { retentionCheckMs: 50 });
});
