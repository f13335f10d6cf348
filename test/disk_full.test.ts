// Issue 10, done-when: the broker's disk fills up while a producer sends numbered records. Every
// record the producer was told failed is absent after a kill -9 and restart, every acknowledged
// one is present exactly once, and writes resume once space is freed, without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBroker, type BrokerProcess } from '../packages/broker/test/support/launcher.ts';
import { mountTmpfs } from '../packages/broker/test/support/tmpfs.ts';
import { Eddy, EddyError, ErrorCode, Offset, type Producer } from '@eddy/client';

const TOPIC = 'full';
const VALUE_PAD = 'x'.repeat(200);

type Outcome = { offset: number } | { error: unknown };

/** Sends records [from, from + count) and waits for every outcome. */
async function burst(producer: Producer, outcomes: Outcome[], from: number, count: number): Promise<number> {
  const sends = Array.from({ length: count }, (_, j) => {
    const i = from + j;
    return producer.send(null, `${i}:${VALUE_PAD}`, { partition: 0 }).then(
      (m) => { outcomes[i] = { offset: m.offset }; },
      (error: unknown) => { outcomes[i] = { error }; },
    );
  });
  await Promise.all(sends);
  return from + count;
}

function failedCount(outcomes: Outcome[], from: number): number {
  return outcomes.slice(from).filter((o) => 'error' in o).length;
}

async function waitForLine(file: string, text: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!readFileSync(file, 'utf8').includes(text)) {
    if (Date.now() > until) assert.fail(`the broker log never said "${text}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('disk full mid-produce: failed records are absent after kill -9 and restart, acknowledged ones present; writes resume after freeing', async () => {
  const tmp = mountTmpfs(2 * 1024 * 1024);
  const logDir = mkdtempSync(join(tmpdir(), 'eddy-diskfull-log-'));
  const logFile = join(logDir, 'broker.log');
  let broker: BrokerProcess | null = null;
  let eddy: Eddy | null = null;
  try {
    broker = await spawnBroker({ dataDir: tmp.dir, logFile });
    eddy = await Eddy.connect({ endpoint: broker.endpoint });
    // Segments of 2 KiB and batches of ~1 KiB: a request carrying the several batches that pile
    // up behind the one in flight spans one or more segment rolls.
    await eddy.admin().createTopic(TOPIC, { partitions: 1, segmentBytes: 2048, flush: 'os' });
    const producer = await eddy.producer(TOPIC, {
      batchSizeBytes: 1024, maxInFlight: 1, retries: 1, retryBackoffMs: 10, maxRetryBackoffMs: 20,
    });
    const outcomes: Outcome[] = [];
    let next = await burst(producer, outcomes, 0, 300);
    assert.equal(failedCount(outcomes, 0), 0, 'everything before the disk filled is acknowledged');

    tmp.fill();
    const fullFrom = next;
    // The last pages of the files still take a little; keep going until produces fail.
    for (let k = 0; k < 50 && failedCount(outcomes, fullFrom) < 200; k++) next = await burst(producer, outcomes, next, 100);
    const failed = failedCount(outcomes, fullFrom);
    assert.ok(failed >= 200, `produces fail on the full disk (${failed} failed)`);
    for (const o of outcomes.slice(fullFrom)) {
      if (!('error' in o)) continue;
      assert.ok(o.error instanceof EddyError, String(o.error));
      assert.equal(o.error.code, ErrorCode.StorageFull, o.error.message);
      assert.equal(o.error.retriable, true, 'a full disk is worth retrying');
    }

    tmp.free();
    const freedFrom = next;
    next = await burst(producer, outcomes, next, 300);
    assert.equal(failedCount(outcomes, freedFrom), 0, 'writes resume once space is freed, without a restart');
    await waitForLine(logFile, 'partition log writes resumed', 5000);
    await producer.close();
    await eddy.close();
    eddy = null;

    // A crash now must not bring back anything reported failed (nor lose anything acknowledged).
    await broker.kill('SIGKILL');
    broker = await spawnBroker({ dataDir: tmp.dir, logFile });
    eddy = await Eddy.connect({ endpoint: broker.endpoint });
    const stored = new Map<number, number>(); // record number -> offset
    let expectOffset = 0;
    for await (const r of eddy.consumer(TOPIC).stream(Offset.beginning(), { stopAtEnd: true })) {
      assert.equal(r.offset, expectOffset++, 'offsets are dense');
      const i = Number(r.value.toString().split(':')[0]);
      assert.ok(!stored.has(i), `record ${i} stored twice`);
      stored.set(i, r.offset);
    }
    let acked = 0;
    for (let i = 0; i < next; i++) {
      const o = outcomes[i];
      if ('error' in o) {
        assert.ok(!stored.has(i), `record ${i} was reported failed but is stored at offset ${stored.get(i)}`);
      } else {
        acked++;
        assert.equal(stored.get(i), o.offset, `acknowledged record ${i}`);
      }
    }
    assert.equal(stored.size, acked, 'nothing but acknowledged records is stored');

    const after = await eddy.producer(TOPIC);
    assert.equal((await after.send(null, 'after-restart', { partition: 0 })).offset, expectOffset);
    await after.close();
  } finally {
    await eddy?.close();
    if (broker) await broker.kill('SIGKILL');
    tmp.close();
    rmSync(logDir, { recursive: true, force: true });
  }
});
