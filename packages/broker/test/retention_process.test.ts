// Retention and torn-tail recovery, seen from outside: the broker runs as its own process (main.ts)
// and the tests look at its data folder on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { eventually } from './helpers.ts';
import { RawClient, batchOf, streamRecords, topicSpec } from './raw_client.ts';
import { spawnBroker } from './support/launcher.ts';

/** The partition folder of `topic`/`partition` under the broker's data dir (`spu-<id>/<topic>-<p>`). */
function partitionDir(dataDir: string, topic: string, partition = 0): string {
  const spu = readdirSync(dataDir).find((n) => n.startsWith('spu-'));
  assert.ok(spu, `no spu-* folder in ${dataDir}`);
  return join(dataDir, spu, `${topic}-${partition}`);
}

/** Segment .log files, oldest first, with their base offsets and sizes (skipping any deleted meanwhile). */
function segments(dir: string): { base: number; size: number; file: string }[] {
  return readdirSync(dir).filter((n) => n.endsWith('.log')).sort().flatMap((n) => {
    const file = join(dir, n);
    const st = statSync(file, { throwIfNoEntry: false });
    return st === undefined ? [] : [{ base: Number(n.slice(0, 20)), size: st.size, file }];
  });
}

async function produce(client: RawClient, topic: string, values: string[] | Buffer): Promise<number> {
  const records = Buffer.isBuffer(values) ? values : batchOf(values);
  const r = await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: topic, partitions: [{ partition: 0, records }] }] });
  const p = r.topics[0].partitions[0];
  assert.equal(p.errorCode, ErrorCode.None, p.errorMessage ?? '');
  return p.baseOffset;
}

test('retention in the broker process deletes old segments on disk; a stream from before the log start gets OffsetOutOfRange', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-retention-proc-'));
  let broker = await spawnBroker({ dataDir, logFile: join(dataDir, 'broker.log'), args: ['--retention-check-ms', '50'] });
  try {
    let client = await RawClient.connect(broker.port);
    const spec = topicSpec({ segmentBytes: 1024, retentionBytes: 2048 });
    assert.equal((await client.request('CreateTopic', { name: 'aging', spec, dryRun: false })).errorCode, ErrorCode.None);
    for (let i = 0; i < 40; i++) await produce(client, 'aging', [`r${i}`.padEnd(200, '.')]);
    const dir = partitionDir(dataDir, 'aging');

    // Retention runs in the background every 50 ms: wait until it has caught up with the produce.
    const onDiskBytes = (): number => segments(dir).reduce((n, s) => n + s.size, 0);
    const indexFiles = (): number => readdirSync(dir).filter((n) => n.endsWith('.index')).length;
    await eventually(() => onDiskBytes() <= 2048 && indexFiles() === segments(dir).length, 10_000, `retention to bring ${dir} down to 2048 bytes`);
    const start = (await client.request('ListOffsets', { topic: 'aging', partitions: [] })).partitions[0].logStartOffset;
    assert.ok(start > 0);
    const onDisk = segments(dir);
    assert.equal(onDisk[0].base, start, 'the oldest segment left starts at the log start');
    assert.ok(!onDisk.some((s) => s.base === 0), 'the first segment file is gone');
    assert.ok(onDisk.length >= 2 && onDiskBytes() + 1024 > 2048, `no more deleted than needed: ${onDisk.length} segments, ${onDiskBytes()} bytes`);
    for (const s of onDisk) assert.ok(s.size <= 1024, `segment ${s.base} holds ${s.size} bytes`);
    assert.equal(indexFiles(), onDisk.length, 'index files went with their segments');

    const expectMessage = (from: number, lo: number): string => `offset ${from} is out of range: partition aging/0 holds offsets ${lo} to 39 (next offset 40)`;
    const before = await client.stream({ topic: 'aging', startKind: OffsetStart.Absolute, startValue: 0 }).collect();
    assert.equal(before[0].errorCode, ErrorCode.OffsetOutOfRange);
    assert.equal(before[0].errorMessage, expectMessage(0, start));
    const fromStart = await client.stream({ topic: 'aging', startKind: OffsetStart.Beginning, stopAtEnd: true }).collect();
    const recs = streamRecords(fromStart, start);
    assert.deepEqual(recs.map((r) => r.offset), Array.from({ length: 40 - start }, (_, i) => start + i));
    await client.close();

    // The deletions are durable: a restarted broker has the same log start.
    assert.equal(await broker.stop(), 0);
    broker = await spawnBroker({ dataDir, logFile: join(dataDir, 'broker.log'), args: ['--retention-check-ms', '50'] });
    client = await RawClient.connect(broker.port);
    const lo = (await client.request('ListOffsets', { topic: 'aging', partitions: [] })).partitions[0];
    assert.ok(lo.logStartOffset >= start);
    assert.equal(lo.highWatermark, 40);
    const again = await client.stream({ topic: 'aging', startKind: OffsetStart.Absolute, startValue: start - 1 }).collect();
    assert.equal(again[0].errorMessage, expectMessage(start - 1, lo.logStartOffset));
    await client.close();
  } finally {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a segment whose tail was cut mid-batch is truncated to the last whole batch when the broker process starts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-torn-proc-'));
  const args = ['--data-dir', dataDir, '--log-file', join(dataDir, 'broker.log')];
  let broker = await spawnBroker({ args });
  try {
    let client = await RawClient.connect(broker.port);
    assert.equal((await client.request('CreateTopic', { name: 'torn', spec: topicSpec(), dryRun: false })).errorCode, ErrorCode.None);
    const batches = [['a0', 'a1'], ['b0', 'b1', 'b2'], ['c0'], ['d0', 'd1']].map((values) => batchOf(values));
    const sizes = batches.map((b) => b.length);
    for (const b of batches) await produce(client, 'torn', b);
    await client.close();
    assert.equal(await broker.stop(), 0);

    const dir = partitionDir(dataDir, 'torn');
    const [seg] = segments(dir);
    assert.equal(seg.size, sizes.reduce((a, b) => a + b, 0));
    truncateSync(seg.file, seg.size - 3); // the last batch loses its last 3 bytes

    broker = await spawnBroker({ args });
    assert.equal(segments(dir)[0].size, seg.size - sizes[3], 'cut back to the end of the last whole batch');
    client = await RawClient.connect(broker.port);
    const lo = (await client.request('ListOffsets', { topic: 'torn', partitions: [] })).partitions[0];
    assert.equal(lo.highWatermark, 6);
    const rs = await client.stream({ topic: 'torn', startKind: OffsetStart.Beginning, stopAtEnd: true }).collect();
    assert.equal(rs.at(-1)!.errorCode, ErrorCode.None);
    assert.deepEqual(streamRecords(rs).map((r) => [r.offset, r.value]), [[0, 'a0'], [1, 'a1'], [2, 'b0'], [3, 'b1'], [4, 'b2'], [5, 'c0']]);

    // New writes go after the last whole batch and read back.
    assert.equal(await produce(client, 'torn', ['e0', 'e1']), 6);
    const tail = await client.stream({ topic: 'torn', startKind: OffsetStart.Absolute, startValue: 5, stopAtEnd: true }).collect();
    assert.deepEqual(streamRecords(tail, 5).map((r) => [r.offset, r.value]), [[5, 'c0'], [6, 'e0'], [7, 'e1']]);
    await client.close();
  } finally {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
