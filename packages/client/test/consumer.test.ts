import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Eddy, Offset, EddyError, ErrorCode, type ConsumerRecord, type RecordStream } from '@eddy/client';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker;
let eddy: Eddy;
const BASE_TS = 1_700_000_000_000;

before(async () => {
  cluster = await launchBroker();
  eddy = await Eddy.connect({ endpoint: cluster.endpoint });
  // 100 records in 10 batches of 10, record i stamped BASE_TS + i seconds.
  await eddy.admin().createTopic('hundred', {});
  const producer = await eddy.producer('hundred');
  for (let b = 0; b < 10; b++) {
    await producer.sendBatch(Array.from({ length: 10 }, (_, j) => ({ key: `k${b * 10 + j}`, value: `v${b * 10 + j}`, timestamp: BASE_TS + (b * 10 + j) * 1000 })));
  }
  await producer.close();
});
after(async () => {
  await eddy?.close();
  await cluster?.close();
});

async function offsets(stream: AsyncIterable<ConsumerRecord>): Promise<number[]> {
  const out: number[] = [];
  for await (const r of stream) out.push(r.offset);
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Waits (by yielding, not by time) until the stream has resolved where every partition starts. */
async function started(stream: RecordStream, partitions: number): Promise<void> {
  while (stream.positions().size < partitions) await tick();
}

test('start at beginning, absolute, from the end, from the beginning, timestamp; stop at an end offset', async () => {
  const c = eddy.consumer('hundred');
  assert.deepEqual(await offsets(c.stream(Offset.beginning(), { stopAtEnd: true })), range(0, 100));
  assert.deepEqual(await offsets(c.stream(Offset.absolute(43), { stopAtEnd: true })), range(43, 100));
  assert.deepEqual(await offsets(c.stream(Offset.fromEnd(7), { stopAtEnd: true })), range(93, 100));
  assert.deepEqual(await offsets(c.stream(Offset.fromBeginning(5), { stopAtEnd: true })), range(5, 100));
  // Mid-batch timestamp: the broker finds the batch, the client skips its older records.
  assert.deepEqual(await offsets(c.stream(Offset.timestamp(BASE_TS + 55_000), { stopAtEnd: true })), range(55, 100));
  assert.deepEqual(await offsets(c.stream(Offset.timestamp(BASE_TS + 54_500), { stopAtEnd: true })), range(55, 100));
  assert.deepEqual(await offsets(c.stream(Offset.beginning(), { end: 12 })), range(0, 13));
  assert.deepEqual(await offsets(c.stream(Offset.absolute(15), { end: 15 })), [15]);
  assert.deepEqual(await offsets(c.stream(Offset.end(), { stopAtEnd: true })), []);
});

/** The stream's records read a batch at a time (each batch iterated, and its `records` compared). */
async function batchOffsets(stream: RecordStream): Promise<number[]> {
  const out: number[] = [];
  for await (const b of stream.batches()) {
    const seen = [...b].map((r) => r.offset);
    assert.ok(seen.length > 0, 'batches are never empty');
    assert.deepEqual(b.records.map((r) => r.offset), seen);
    assert.equal(b.firstOffset, seen[0]);
    assert.ok(b.lastOffset >= seen.at(-1)!);
    out.push(...seen);
  }
  return out;
}

test('batches(): the same records a batch at a time, from every kind of start, with and without CRC checks', async () => {
  for (const checkCrcs of [true, false]) {
    const c = eddy.consumer('hundred', { checkCrcs, maxBytes: 300 }); // small responses: several per stream
    assert.deepEqual(await batchOffsets(c.stream(Offset.beginning(), { stopAtEnd: true })), range(0, 100));
    assert.deepEqual(await batchOffsets(c.stream(Offset.absolute(43), { stopAtEnd: true })), range(43, 100));
    assert.deepEqual(await batchOffsets(c.stream(Offset.timestamp(BASE_TS + 54_500), { stopAtEnd: true })), range(55, 100));
    assert.deepEqual(await batchOffsets(c.stream(Offset.absolute(15), { end: 31 })), range(15, 32));
    assert.deepEqual(await batchOffsets(c.stream(Offset.end(), { stopAtEnd: true })), []);
  }
});

test('batches() and records mix on one stream; positions move past each batch handed out', async () => {
  const stream = eddy.consumer('hundred').stream(Offset.absolute(3), { stopAtEnd: true, maxBytes: 1 });
  const first = await stream.next();
  assert.equal(first.value.offset, 3);
  const it = stream.batches();
  const b = (await it.next()).value!;
  // The rest of the response the record came from (one stored batch: offsets up to 9).
  assert.deepEqual([...b].map((r) => [r.offset, r.value.toString()]), range(4, 10).map((o) => [o, `v${o}`]));
  assert.equal(stream.positions().get(0), 10);
  const next = await stream.next();
  assert.equal(next.value.offset, 10);
  await it.return!();
  assert.equal((await stream.next()).done, true);
});

test('records carry key, value, timestamp and partition', async () => {
  const stream = eddy.consumer('hundred').stream(Offset.absolute(42), { stopAtEnd: true });
  const { value: r } = await stream.next();
  await stream.return();
  assert.equal(r.offset, 42);
  assert.equal(r.partition, 0);
  assert.equal(r.key!.toString(), 'k42');
  assert.equal(r.value.toString(), 'v42');
  assert.equal(r.timestamp, BASE_TS + 42_000);
});

test('Offset.end() delivers only records produced after the stream started', async () => {
  await eddy.admin().createTopic('live', { partitions: 2 });
  const producer = await eddy.producer('live');
  await producer.sendBatch(range(0, 10).map((i) => ({ value: `old${i}` })));
  const stream = eddy.consumer('live').stream(Offset.end());
  const first = stream.next();
  await started(stream, 2);
  await producer.sendBatch(range(0, 6).map((i) => ({ value: `new${i}` })));
  const got = [(await first).value.value.toString()];
  for await (const r of stream) {
    got.push(r.value.toString());
    if (got.length === 6) break;
  }
  assert.deepEqual(got.sort(), range(0, 6).map((i) => `new${i}`));
  await producer.close();
});

test('an AbortSignal ends the stream, both between records and while waiting', async () => {
  const ctrl = new AbortController();
  const got: number[] = [];
  for await (const r of eddy.consumer('hundred').stream(Offset.beginning(), { signal: ctrl.signal })) {
    got.push(r.offset);
    if (r.offset === 4) ctrl.abort();
  }
  assert.deepEqual(got, range(0, 5));

  const waiting = new AbortController();
  const stream = eddy.consumer('hundred').stream(Offset.end(), { signal: waiting.signal });
  const pending = stream.next();
  await started(stream, 1);
  waiting.abort();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.deepEqual(await offsets(eddy.consumer('hundred').stream(Offset.beginning(), { signal: AbortSignal.abort() })), []);
});

test('only the requested partitions are read, merged, each in order', async () => {
  await eddy.admin().createTopic('three', { partitions: 3 });
  const producer = await eddy.producer('three');
  await producer.sendBatch(range(0, 300).map((i) => ({ value: `v${i}`, partition: i % 3 })));
  await producer.close();
  const got = new Map<number, number[]>();
  for await (const r of eddy.consumer('three').stream(Offset.beginning(), { partitions: [0, 2], stopAtEnd: true })) {
    got.set(r.partition, [...(got.get(r.partition) ?? []), r.offset]);
  }
  assert.deepEqual([...got.keys()].sort(), [0, 2]);
  assert.deepEqual(got.get(0), range(0, 100));
  assert.deepEqual(got.get(2), range(0, 100));
  await assert.rejects(eddy.consumer('three').stream(Offset.beginning(), { partitions: [3] }).next(),
    (e: unknown) => e instanceof EddyError && e.code === ErrorCode.UnknownPartition);
});

test('flow control: a small window still delivers everything (acks open it again)', async () => {
  const got = await offsets(eddy.consumer('hundred').stream(Offset.beginning(), { stopAtEnd: true, windowBytes: 64, maxBytes: 64 }));
  assert.deepEqual(got, range(0, 100));
});

test('flow control: a stream tailing one record at a time through a small window never stalls', async () => {
  await eddy.admin().createTopic('tail-window', {});
  const producer = await eddy.producer('tail-window');
  // Each record is its own response of ~80 bytes; the window holds about a dozen of them, so the
  // stream only goes on if its quarter-window acks keep coming while it keeps up.
  const stream = eddy.consumer('tail-window').stream(Offset.beginning(), { windowBytes: 1000 });
  const got: string[] = [];
  for (let i = 0; i < 60; i++) {
    await producer.send(null, `tail-${i}`);
    const r = await stream.next();
    got.push(r.value!.value.toString());
  }
  await stream.return();
  await producer.close();
  assert.deepEqual(got, range(0, 60).map((i) => `tail-${i}`));
});

test('a named consumer resumes from its committed offset (manual and auto commit)', async () => {
  const manual = eddy.consumer('hundred', { consumerName: 'reader', autoCommit: false });
  let n = 0;
  for await (const r of manual.stream(Offset.beginning())) {
    if (++n === 30) { assert.equal(r.offset, 29); break; }
  }
  await manual.commit();
  await manual.close();
  const listed = await eddy.admin().listConsumers('hundred');
  assert.deepEqual(listed.filter((c) => c.consumer === 'reader').map((c) => [c.partition, c.offset]), [[0, 30]]);

  // The committed offset wins over the requested start.
  const auto = eddy.consumer('hundred', { consumerName: 'reader' });
  const got: number[] = [];
  for await (const r of auto.stream(Offset.end())) {
    got.push(r.offset);
    if (r.offset === 59) break; // leaving the loop commits 60
  }
  assert.deepEqual(got, range(30, 60));
  await auto.close();

  const again = eddy.consumer('hundred', { consumerName: 'reader' });
  assert.deepEqual(await offsets(again.stream(Offset.beginning(), { stopAtEnd: true })), range(60, 100));
  await again.close();

  // A consumer that never committed starts where asked.
  assert.deepEqual(await offsets(eddy.consumer('hundred', { consumerName: 'fresh' }).stream(Offset.fromEnd(2), { stopAtEnd: true })), [98, 99]);
  await eddy.admin().deleteConsumer('reader', 'hundred');
  assert.deepEqual((await eddy.admin().listConsumers('hundred')).filter((c) => c.consumer === 'reader'), []);
});
