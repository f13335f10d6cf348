import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Eddy, Offset, EddyError, ErrorCode, type RecordMetadata } from '@eddy/client';
import { launchBroker } from '../../broker/test/support/launcher.ts';

test('a streaming consumer survives a broker restart while a producer keeps sending: no loss, no duplicates', async () => {
  const cluster = await launchBroker();
  const eddy = await Eddy.connect({ endpoint: cluster.endpoint });
  try {
    await eddy.admin().createTopic('restart', { partitions: 2 });
    const producer = await eddy.producer('restart', { retries: 50, maxRetryBackoffMs: 500 });
    const total = 4000;
    const acked: RecordMetadata[] = new Array(total);
    const sendRange = async (from: number, to: number) => {
      for (let w = from; w < to; w += 200) {
        const wave = Array.from({ length: Math.min(200, to - w) }, (_, j) => w + j);
        const metas = await Promise.all(wave.map((i) => producer.send(`k${i}`, `v${i}`)));
        wave.forEach((i, j) => { acked[i] = metas[j]; });
      }
    };
    await sendRange(0, 2000);

    const delivered = new Set<string>();
    const values = new Map<string, string>();
    const last = [-1, -1];
    let restart: Promise<void> | null = null;
    let more: Promise<void> | null = null;
    const stream = eddy.consumer('restart', { reconnectTimeoutMs: 30_000 }).stream(Offset.beginning());
    for await (const r of stream) {
      const id = `${r.partition}/${r.offset}`;
      assert.ok(!delivered.has(id), `duplicate delivery of ${id}`);
      assert.ok(r.offset > last[r.partition], `partition ${r.partition} went back from ${last[r.partition]} to ${r.offset}`);
      last[r.partition] = r.offset;
      delivered.add(id);
      values.set(id, r.value.toString());
      if (delivered.size === 1000) {
        // Mid-stream, with records received but not yet delivered: the broker goes away and comes
        // back while the second half is being sent. The loop waits for the restart, so what was
        // buffered at the drop must be dropped and fetched again, not delivered twice.
        more = sendRange(2000, total);
        restart = cluster.restart();
        await restart;
      }
      if (delivered.size === total) break;
    }
    assert.ok(restart !== null && more !== null);
    await restart;
    await more;
    await producer.close();
    // Every acknowledged record was delivered once, with its value.
    for (let i = 0; i < total; i++) {
      const id = `${acked[i].partition}/${acked[i].offset}`;
      assert.equal(values.get(id), `v${i}`, `record ${i} (${id})`);
    }
    assert.equal(delivered.size, total);
  } finally {
    await eddy.close();
    await cluster.close();
  }
});

test('broker down: connecting, requests and streams fail with retriable errors', async () => {
  const cluster = await launchBroker();
  const eddy = await Eddy.connect({ endpoint: cluster.endpoint });
  try {
    await eddy.admin().createTopic('down', {});
    const stream = eddy.consumer('down', { reconnectTimeoutMs: 300 }).stream(Offset.beginning());
    const pending = stream.next();
    while (stream.positions().size === 0) await tick();
    await cluster.stop();
    const isUnavailable = (e: unknown) => e instanceof EddyError && e.retriable && e.code === ErrorCode.BrokerUnavailable;
    await assert.rejects(pending, isUnavailable, 'the stream gives up after reconnectTimeoutMs');
    await assert.rejects(eddy.admin().listTopics(), isUnavailable);
    await assert.rejects(Eddy.connect({ endpoint: cluster.endpoint, connectTimeoutMs: 2000 }), (e: unknown) => {
      assert.ok(isUnavailable(e));
      assert.match((e as Error).message, new RegExp(`127.0.0.1:${cluster.port}`));
      return true;
    });
    const producer = eddy.producer('down');
    await assert.rejects(producer, isUnavailable);
  } finally {
    await eddy.close();
    await cluster.close();
  }
});
