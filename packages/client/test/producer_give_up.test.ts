// A producer whose broker is gone: once a batch ran out of retries, the sends queued behind it
// fail with the same error at once instead of each batch going through its own retry cycle.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Eddy, EddyError } from '../src/mod.ts';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker | undefined;
let eddy: Eddy | undefined;

after(async () => {
  await eddy?.close();
  await cluster?.close();
});

test('after a batch exhausts its retries, the queued sends reject promptly with its error; new sends get a fresh try', async () => {
  cluster = await launchBroker();
  eddy = await Eddy.connect({ endpoint: cluster.endpoint });
  await eddy.admin().createTopic('give-up', { partitions: 2 });
  // One small batch per request, one request at a time: each batch would get its own retry cycle.
  const retries = 3;
  const producer = await eddy.producer('give-up', {
    retries, retryBackoffMs: 5, maxRetryBackoffMs: 10, maxInFlight: 1, batchSizeBytes: 200, maxRequestBytes: 200,
  });
  await producer.send(null, 'before', { partition: 0 });
  await cluster.stop();
  const value = 'v'.repeat(100);
  const order: number[] = [];
  const errors: unknown[] = [];
  const sends = [];
  for (let i = 0; i < 40; i++) {
    sends.push(Promise.resolve(producer.send(null, value, { partition: i % 2 })).then(
      () => assert.fail(`send ${i} succeeded with the broker stopped`),
      (err) => { order.push(i); errors.push(err); },
    ));
  }
  await Promise.all(sends);
  assert.equal(errors.length, 40);
  // All fail with the error the first batch gave up on (the broker is unreachable: retriable).
  const first = errors[0];
  assert.ok(first instanceof EddyError && first.retriable, String(first));
  for (const e of errors) assert.equal(e, first);
  // Only the head batch of each partition (the two retry side by side) went through a retry
  // cycle; the other 38 were failed without one of their own (before: 40 cycles, 120 retries).
  assert.ok(producer.stats().retries <= 2 * retries, `retries: ${producer.stats().retries}`);
  // Per partition, the sends rejected in the order they were made.
  for (const p of [0, 1]) {
    const mine = order.filter((i) => i % 2 === p);
    assert.deepEqual(mine, [...mine].sort((x, y) => x - y));
  }
  assert.equal(producer.stats().pendingBatches, 0);
  // A new send gets its own (full) try.
  const before = producer.stats().retries;
  await assert.rejects(Promise.resolve(producer.send(null, 'after', { partition: 1 })), (err: unknown) => err instanceof EddyError && err !== first);
  assert.equal(producer.stats().retries - before, retries);
  await producer.close().catch(() => {});
});
