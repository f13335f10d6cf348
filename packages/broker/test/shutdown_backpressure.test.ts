import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { withBroker, eventually, sleep } from './helpers.ts';
import { batchOf, topicSpec } from './raw_client.ts';

async function bytesOut(metrics: { registry: { getSingleMetricAsString(name: string): Promise<string> } }, topic: string): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString('eddy_bytes_out_total');
  const line = text.split('\n').find((l) => l.startsWith(`eddy_bytes_out_total{topic="${topic}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('a consumer that stops reading makes the stream pause (socket backpressure), and it resumes', async () => {
  await withBroker(async ({ broker, client }) => {
    await client.request('CreateTopic', { name: 'big', spec: topicSpec(), dryRun: false });
    const value = 'v'.repeat(256 * 1024);
    const total = 96; // 96 batches of 256 KiB = 24 MiB
    for (let i = 0; i < total; i += 8) {
      const records = Buffer.concat(Array.from({ length: 8 }, () => batchOf([value])));
      const r = await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'big', partitions: [{ partition: 0, records }] }] });
      assert.equal(r.topics[0].partitions[0].errorCode, ErrorCode.None);
    }
    const produced = total * batchOf([value]).length;
    // No window: only TCP backpressure limits the stream. Stop reading the socket.
    client.socket.pause();
    const s = client.stream({ topic: 'big', startKind: OffsetStart.Beginning, maxBytes: 1024 * 1024 });
    let sent = 0;
    await eventually(async () => (sent = await bytesOut(broker.metrics, 'big')) > 0, 5000, 'the stream to start');
    await sleep(300);
    sent = await bytesOut(broker.metrics, 'big');
    assert.ok(sent < produced / 2, `server pushed ${sent} of ${produced} bytes to a client that reads nothing`);
    client.socket.resume();
    let got = 0;
    while (got < produced) {
      const r = (await s.next(10_000))!;
      got += r.records.length;
    }
    assert.equal(got, produced);
    assert.equal(await bytesOut(broker.metrics, 'big'), produced);
  });
});

test('clean shutdown ends open streams with BrokerShuttingDown and closes connections', async () => {
  await withBroker(async ({ broker, client }) => {
    await client.request('CreateTopic', { name: 'bye', spec: topicSpec(), dryRun: false });
    const s = client.stream({ topic: 'bye', startKind: OffsetStart.End });
    assert.equal((await s.next())!.startOffset, 0);
    await broker.close();
    const last = (await s.next())!;
    assert.equal(last.endOfStream, true);
    assert.equal(last.errorCode, ErrorCode.BrokerShuttingDown);
    await client.closed;
  });
});
