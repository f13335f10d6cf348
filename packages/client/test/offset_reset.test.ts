// A named consumer whose committed offset retention deleted (Kafka's auto.offset.reset), against a real broker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Eddy, EddyError, ErrorCode, Offset } from '../src/mod.ts';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker;
let eddy: Eddy;

before(async () => {
  cluster = await launchBroker({ retentionCheckMs: 20 });
  eddy = await Eddy.connect({ endpoint: cluster.endpoint });
});

after(async () => {
  await eddy?.close();
  await cluster?.close();
});

/** A tiny-segment topic where consumer `name` committed offset 3, then retention deleted it. */
async function expiredCommit(topic: string, name: string): Promise<{ logStartOffset: number; highWatermark: number }> {
  await eddy.admin().createTopic(topic, { segmentBytes: 1024, retentionBytes: 2048 });
  const p = await eddy.producer(topic, { batchSizeBytes: 300 });
  const value = 'x'.repeat(100);
  for (let i = 0; i < 5; i++) await p.send(null, value);
  const c = eddy.consumer(topic, { consumerName: name, autoCommit: false });
  let n = 0;
  for await (const _ of c.stream(Offset.beginning(), { stopAtEnd: true })) if (++n === 3) break;
  await c.commit();
  await c.close();
  const sends = [];
  for (let i = 0; i < 200; i++) sends.push(p.send(null, value));
  await Promise.all(sends);
  await p.close();
  // Until retention deleted offset 3 and is done with what was produced (a stable log start).
  let prev = -1;
  for (;;) {
    const [o] = await eddy.admin().listOffsets(topic, [0]);
    if (o.logStartOffset > 3 && o.logStartOffset === prev) return o;
    prev = o.logStartOffset;
    await delay(100);
  }
}

test('a committed offset below the log start falls back to the requested start, with one warning', async () => {
  const { logStartOffset: logStart, highWatermark } = await expiredCommit('reset-fallback', 'late');
  const warnings: string[] = [];
  const c = eddy.consumer('reset-fallback', { consumerName: 'late', onWarning: (m) => warnings.push(m) });
  const offsets: number[] = [];
  for await (const r of c.stream(Offset.beginning(), { stopAtEnd: true })) offsets.push(r.offset);
  await c.close();
  // Retention may have moved on meanwhile; the stream starts at a log start, reads to the end.
  assert.ok(offsets[0] >= logStart, `${offsets[0]} < ${logStart}`);
  assert.equal(offsets.at(-1), highWatermark - 1);
  assert.deepEqual(offsets, Array.from({ length: offsets.length }, (_, i) => offsets[0] + i));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^consumer 'late' committed offset 3 on 'reset-fallback' partition 0, but the partition holds offsets \d+ to \d+: starting from the beginning \(offset \d+\) instead$/);
  // The new position was committed: the next run resumes there without a warning.
  const again = eddy.consumer('reset-fallback', { consumerName: 'late', onWarning: (m) => warnings.push(m) });
  const more: number[] = [];
  for await (const r of again.stream(Offset.beginning(), { stopAtEnd: true })) more.push(r.offset);
  await again.close();
  assert.deepEqual(more, []);
  assert.equal(warnings.length, 1);
  // The end as fallback: nothing old is delivered.
  const [fresh] = await expiredCommit('reset-end', 'late-end').then((o) => [o]);
  const w2: string[] = [];
  const tail = eddy.consumer('reset-end', { consumerName: 'late-end', onWarning: (m) => w2.push(m) });
  const got: number[] = [];
  for await (const r of tail.stream(Offset.end(), { stopAtEnd: true })) got.push(r.offset);
  await tail.close();
  assert.deepEqual(got, []);
  assert.equal(w2.length, 1);
  assert.match(w2[0], new RegExp(`starting from the end \\(offset ${fresh.highWatermark}\\) instead$`));
});

test("offsetReset 'error' fails the stream with OffsetOutOfRange naming the consumer", async () => {
  await expiredCommit('reset-error', 'strict');
  const c = eddy.consumer('reset-error', { consumerName: 'strict', offsetReset: 'error', onWarning: () => assert.fail('no warning expected') });
  await assert.rejects(
    (async () => { for await (const _ of c.stream(Offset.beginning(), { stopAtEnd: true })); })(),
    (err: unknown) => err instanceof EddyError && err.code === ErrorCode.OffsetOutOfRange && /consumer 'strict' committed offset 3/.test(err.message),
  );
  await c.close();
  assert.throws(() => eddy.consumer('reset-error', { offsetReset: 'sometimes' as 'error' }), /offsetReset must be 'fallback' or 'error'/);
});
