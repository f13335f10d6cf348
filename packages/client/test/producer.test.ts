import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Eddy, Offset, EddyError, ErrorCode, partitionForKey, type ConsumerRecord, type RecordMetadata } from '@eddy/client';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker;
let eddy: Eddy;

before(async () => {
  cluster = await launchBroker();
  eddy = await Eddy.connect({ endpoint: cluster.endpoint });
});
after(async () => {
  await eddy?.close();
  await cluster?.close();
});

async function readAll(topic: string): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for await (const r of eddy.consumer(topic).stream(Offset.beginning(), { stopAtEnd: true })) out.push(r);
  return out;
}

function valueOf(i: number): Buffer {
  // Varying sizes and binary content, so compression and framing see more than tiny ASCII.
  const b = Buffer.alloc(8 + (i % 200));
  b.writeUInt32BE(i, 0);
  for (let j = 4; j < b.length; j++) b[j] = (i * 31 + j * 7) & 0xff;
  return b;
}

for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`10k keyed records round trip through 3 partitions in per-partition order (${compression})`, async () => {
    const topic = `round-trip-${compression}`;
    await eddy.admin().createTopic(topic, { partitions: 3 });
    const producer = await eddy.producer(topic, { compression, batchSizeBytes: 16 * 1024 });
    const n = 10_000;
    const futures: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < n; i++) futures.push(producer.send(`key-${i % 97}`, valueOf(i)));
    const metas = await Promise.all(futures);
    await producer.close();

    // Offsets: unique and dense per partition; the partition follows the key hash.
    const expected = new Map<string, number>(); // `${partition}/${offset}` -> i
    metas.forEach((m, i) => {
      assert.equal(m.topic, topic);
      assert.equal(m.partition, partitionForKey(Buffer.from(`key-${i % 97}`), 3));
      expected.set(`${m.partition}/${m.offset}`, i);
    });
    assert.equal(expected.size, n);
    for (let p = 0; p < 3; p++) {
      const offsets = metas.filter((m) => m.partition === p).map((m) => m.offset);
      assert.deepEqual(offsets, offsets.map((_, j) => j), `partition ${p}: offsets in send order, from 0, no gaps`);
    }

    const got = await readAll(topic);
    assert.equal(got.length, n);
    const lastOffset = [-1, -1, -1];
    for (const r of got) {
      assert.equal(r.offset, lastOffset[r.partition] + 1, 'per-partition order, nothing skipped');
      lastOffset[r.partition] = r.offset;
      const i = expected.get(`${r.partition}/${r.offset}`)!;
      assert.equal(r.key!.toString(), `key-${i % 97}`);
      assert.deepEqual(r.value, valueOf(i));
      assert.equal(r.topic, topic);
    }
  });
}

test('send() resolves with each record\'s offset; explicit partition wins; sendBatch keeps order', async () => {
  await eddy.admin().createTopic('offsets', { partitions: 2 });
  const producer = await eddy.producer('offsets');
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await producer.send(null, `v${i}`, { partition: 1 }), { topic: 'offsets', partition: 1, offset: i });
  }
  const metas = await producer.sendBatch(Array.from({ length: 50 }, (_, i) => ({ value: `b${i}`, partition: 0, headers: { n: String(i) } })));
  assert.deepEqual(metas.map((m) => m.offset), Array.from({ length: 50 }, (_, i) => i));
  const records = await readAll('offsets');
  const p0 = records.filter((r) => r.partition === 0);
  assert.deepEqual(p0.map((r) => r.value.toString()), metas.map((_, i) => `b${i}`));
  assert.deepEqual(p0.map((r) => r.headers.map(([k, v]) => [k, v.toString()])), metas.map((_, i) => [['n', String(i)]]));
  await assert.rejects(producer.send(null, 'x', { partition: 2 }), (e: unknown) => e instanceof EddyError && e.code === ErrorCode.UnknownPartition && /partition 2/.test(e.message));
  await producer.close();
  await assert.rejects(producer.send(null, 'late'), (e: unknown) => e instanceof EddyError && /closed/.test(e.message));
});

test('batches respect the topic max record size; a record that cannot fit is refused up front', async () => {
  await eddy.admin().createTopic('small-batches', { maxRecordBytes: 1024 });
  const producer = await eddy.producer('small-batches', { batchSizeBytes: 1 << 20 });
  const metas = await Promise.all(Array.from({ length: 200 }, (_, i) => producer.send(null, Buffer.alloc(100, i))));
  assert.deepEqual(metas.map((m) => m.offset), Array.from({ length: 200 }, (_, i) => i));
  await assert.rejects(producer.send(null, Buffer.alloc(2000)), (e: unknown) =>
    e instanceof EddyError && e.code === ErrorCode.RecordTooLarge && !e.retriable && /1024/.test(e.message));
  await producer.close();
  const got = await readAll('small-batches');
  assert.deepEqual(got.map((r) => r.value[0]), Array.from({ length: 200 }, (_, i) => i));
});

test('keyless records go round robin across partitions', async () => {
  await eddy.admin().createTopic('round-robin', { partitions: 3 });
  const producer = await eddy.producer('round-robin');
  const metas = await Promise.all(Array.from({ length: 9 }, (_, i) => producer.send(null, `v${i}`)));
  assert.deepEqual(metas.map((m) => m.partition), [0, 1, 2, 0, 1, 2, 0, 1, 2]);
  await producer.close();
});

test('flush() sends lingering batches and resolves once they are acknowledged', async () => {
  await eddy.admin().createTopic('flush', {});
  const producer = await eddy.producer('flush', { lingerMs: 600_000 });
  let settled = false;
  const f = producer.send('k', 'v').then((m) => { settled = true; return m; });
  const before = await eddy.admin().listOffsets('flush');
  assert.equal(before[0].highWatermark, 0, 'the batch lingers: nothing stored yet');
  assert.equal(settled, false);
  assert.equal(producer.stats().pendingBatches, 1);
  await producer.flush();
  assert.equal(producer.stats().pendingBatches, 0);
  assert.equal((await eddy.admin().listOffsets('flush'))[0].highWatermark, 1);
  assert.deepEqual(await f, { topic: 'flush', partition: 0, offset: 0 });
  await producer.close();
});

test('backpressure: send() waits while the queue is full and keeps send order', async () => {
  await eddy.admin().createTopic('backpressure', {});
  // Linger forever: a record leaves the queue only when the producer decides to send.
  const producer = await eddy.producer('backpressure', { lingerMs: 600_000, maxQueueBytes: 1000, batchSizeBytes: 1 << 20 });
  const first = producer.send(null, Buffer.alloc(600));
  assert.equal(producer.stats().waitingSends, 0);
  const states: string[] = [];
  const second = producer.send(null, Buffer.alloc(600)).then((m) => { states.push('second'); return m; });
  const third = producer.send(null, 'small').then((m) => { states.push('third'); return m; });
  // The queue holds ~670 bytes; 600 more do not fit, and 'small' must not overtake it.
  assert.equal(producer.stats().waitingSends, 2);
  await Promise.resolve();
  assert.deepEqual(states, [], 'waiting sends are still pending');
  // Waiting sends make the producer send what it holds (no point lingering); once that is
  // acknowledged they get in, in order, and linger like any other record until the flush.
  assert.equal((await first).offset, 0);
  assert.equal(producer.stats().waitingSends, 0);
  await producer.flush();
  assert.equal((await second).offset, 1);
  assert.equal((await third).offset, 2);
  assert.deepEqual(states, ['second', 'third']);
  assert.equal(producer.stats().queuedBytes, 0);
  await producer.close();
});

test('an unknown topic is a non-retriable UnknownTopic error for producers and consumers', async () => {
  await assert.rejects(eddy.producer('no-such-topic'), (e: unknown) => {
    assert.ok(e instanceof EddyError);
    assert.equal(e.code, ErrorCode.UnknownTopic);
    assert.equal(e.retriable, false);
    assert.match(e.message, /no-such-topic/);
    return true;
  });
  const stream = eddy.consumer('no-such-topic').stream(Offset.beginning());
  await assert.rejects(stream.next(), (e: unknown) => e instanceof EddyError && e.code === ErrorCode.UnknownTopic && !e.retriable);
});

test('sendMany: one promise for many records (values, strings, records), in order with send()', async () => {
  await eddy.admin().createTopic('send-many', { partitions: 2 });
  const producer = await eddy.producer('send-many', { batchSizeBytes: 4096 });
  const values = Array.from({ length: 3000 }, (_, i) => valueOf(i));
  const before = producer.send(null, 'before', { partition: 1 });
  await producer.sendMany([
    ...values,
    'a string',
    { key: 'k', value: 'keyed', partition: 1, timestamp: 1234, headers: { h: 'v' } },
  ]);
  const after = await producer.send(null, 'after', { partition: 1 });
  assert.equal((await before).offset, 0);
  assert.equal(producer.stats().queuedBytes, 0);
  await producer.close();
  const got = await readAll('send-many');
  // Keyless values alternate over the two partitions (round robin), in order per partition.
  const p0 = got.filter((r) => r.partition === 0).map((r) => r.value);
  const p1 = got.filter((r) => r.partition === 1);
  assert.deepEqual(p0, [...values.filter((_, i) => i % 2 === 0), Buffer.from('a string')]);
  assert.deepEqual(p1.map((r) => r.value.toString('latin1')), ['before', ...values.filter((_, i) => i % 2 === 1).map((v) => v.toString('latin1')), 'keyed', 'after']);
  const keyed = p1.at(-2)!;
  assert.equal(keyed.key?.toString(), 'k');
  assert.equal(keyed.timestamp, 1234);
  assert.deepEqual(keyed.headers.map(([k, v]) => [k, v.toString()]), [['h', 'v']]);
  assert.equal(after.offset, p1.length - 1);
});

test('sendMany waits for queue room part way, and later sends stay behind it', async () => {
  await eddy.admin().createTopic('send-many-wait', {});
  const producer = await eddy.producer('send-many-wait', { lingerMs: 600_000, maxQueueBytes: 2000, batchSizeBytes: 1 << 20 });
  const bulk = producer.sendMany(Array.from({ length: 20 }, (_, i) => Buffer.alloc(300, i)));
  assert.equal(producer.stats().waitingSends, 1, 'the rest of the bulk send waits for room');
  const later = producer.send(null, Buffer.from([99]));
  assert.equal(producer.stats().waitingSends, 2);
  await producer.flush(); // the last records linger otherwise
  await bulk;
  assert.equal((await later).offset, 20);
  await producer.close();
  const got = await readAll('send-many-wait');
  assert.deepEqual(got.map((r) => r.value[0]), [...Array.from({ length: 20 }, (_, i) => i), 99]);
});

test('sendMany rejects bad input with a clear error, and after close', async () => {
  await eddy.admin().createTopic('send-many-bad', {});
  const producer = await eddy.producer('send-many-bad');
  await assert.rejects(producer.sendMany([Buffer.from('ok'), 42 as never]), /record 1 must be a record object, a string or a Uint8Array, got number/);
  await assert.rejects(producer.sendMany([{ value: 'x', timestamp: 1.5 }]), /timestamp must be an integer/);
  await producer.close();
  await assert.rejects(producer.sendMany(['x']), (e: unknown) => e instanceof EddyError && e.code === ErrorCode.StreamClosed);
});
