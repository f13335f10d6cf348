import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { RawClient, batchOf, streamRecords, topicSpec } from './raw_client.ts';
import { spawnBroker, type BrokerProcess } from './support/launcher.ts';

test('kill -9 while producing: every acknowledged record survives, and the log takes new writes', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-crash-'));
  let child: BrokerProcess | null = null;
  try {
    child = await spawnBroker({ dataDir, logFile: join(dataDir, 'broker.log') });
    let client = await RawClient.connect(child.port);
    assert.equal((await client.request('CreateTopic', { name: 'durable', spec: topicSpec({ partitions: 2, flush: 'os', segmentBytes: 16 * 1024 }), dryRun: false })).errorCode, ErrorCode.None);

    // Keep 8 produce requests in flight; remember exactly what was acknowledged.
    const acked = new Map<string, string>(); // `${partition}:${offset}` -> value
    let seq = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const n = seq++;
        const partition = n % 2;
        const values = Array.from({ length: 5 }, (_, i) => `rec-${n}-${i}`);
        let r;
        try {
          r = await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'durable', partitions: [{ partition, records: batchOf(values) }] }] });
        } catch {
          return; // connection died with the broker: this request was never acknowledged
        }
        const p = r.topics[0].partitions[0];
        assert.equal(p.errorCode, ErrorCode.None);
        values.forEach((v, i) => acked.set(`${partition}:${p.baseOffset + i}`, v));
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    while (acked.size < 2000) await new Promise((r) => setTimeout(r, 5));
    child.proc.kill('SIGKILL');
    assert.equal(await child.exited, null);
    stop = true;
    await Promise.all(workers);
    await client.close();
    assert.ok(acked.size >= 2000);

    child = await spawnBroker({ dataDir, logFile: join(dataDir, 'broker.log') });
    client = await RawClient.connect(child.port);
    const stored = new Map<string, string>();
    for (const partition of [0, 1]) {
      const rs = await client.stream({ topic: 'durable', partition, startKind: OffsetStart.Beginning, stopAtEnd: true, maxBytes: 64 * 1024 }).collect(undefined, 10_000);
      assert.equal(rs.at(-1)!.errorCode, ErrorCode.None);
      const recs = streamRecords(rs);
      recs.forEach((r, i) => assert.equal(r.offset, i, 'offsets are dense from 0'));
      for (const r of recs) stored.set(`${partition}:${r.offset}`, r.value);
    }
    for (const [k, v] of acked) assert.equal(stored.get(k), v, `acknowledged record ${k}`);

    const lo = await client.request('ListOffsets', { topic: 'durable', partitions: [] });
    const after = await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'durable', partitions: [{ partition: 0, records: batchOf(['after-restart']) }] }] });
    assert.equal(after.topics[0].partitions[0].errorCode, ErrorCode.None);
    assert.equal(after.topics[0].partitions[0].baseOffset, lo.partitions[0].highWatermark);
    await client.close();

    // SIGTERM is a clean shutdown: exit code 0 and the SPU recorded Offline.
    child.proc.kill('SIGTERM');
    assert.equal(await child.exited, 0);
    child = null;
    const spus = JSON.parse(readFileSync(join(dataDir, 'metadata', 'spu.json'), 'utf8')) as { status: { resolution: string } }[];
    assert.equal(spus[0].status.resolution, 'Offline');
  } finally {
    if (child) { child.proc.kill('SIGKILL'); await child.exited; }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
