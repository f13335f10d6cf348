// Issue 10: a closed segment cut mid-batch is no longer a silent gap. Its partition's status
// names the lost offsets (ListPartitions v1, `eddy partition list`), a gauge counts them, and a
// consumer crossing the gap gets DataLoss unless it asked to skip (client option, CLI flag).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker } from '@eddy/broker';
import type { Broker } from '@eddy/broker';
import { Eddy, Offset } from '@eddy/client';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { eddy as runCli, tempHome } from './helpers.ts';

const TOPIC = 'dmg';
const RECORDS = 60;

test('a damaged closed segment: status, partition list, metric, consumer error and skip', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-damage-'));
  const home = tempHome();
  const start = (port: number): Promise<Broker> => startBroker({
    host: '127.0.0.1', port, metricsPort: -1, logger: { level: 'silent' }, retentionCheckMs: 0, dataDir,
  });
  let broker = await start(0);
  const port = broker.port;
  try {
    let client = await Eddy.connect({ endpoint: `127.0.0.1:${port}` });
    await client.admin().createTopic(TOPIC, { segmentBytes: 1024 });
    const producer = await client.producer(TOPIC);
    for (let i = 0; i < RECORDS; i++) {
      await producer.send(null, `record-${String(i).padStart(3, '0')}-${'x'.repeat(40)}`);
      await producer.flush(); // one batch per record, so segments roll every few records
    }
    await client.close();
    await broker.close();

    // Cut the first (closed) segment in the middle of a batch.
    const dir = path.join(dataDir, 'spu-5001', `${TOPIC}-0`);
    const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    assert.ok(logs.length >= 3, `segments: ${logs.join(' ')}`);
    const first = path.join(dir, logs[0]);
    fs.truncateSync(first, Math.floor(fs.statSync(first).size / 2) + 3);
    const nextBase = Number(logs[1].replace('.log', ''));

    broker = await start(port);
    client = await Eddy.connect({ endpoint: `127.0.0.1:${port}` });
    const [info] = await client.admin().listPartitions(TOPIC);
    const m = /^offsets (\d+)-(\d+) lost \(damaged segment\)$/.exec(info.status.damage);
    assert.ok(m, `damage: ${JSON.stringify(info.status.damage)}`);
    const lostFrom = Number(m[1]);
    assert.equal(Number(m[2]), nextBase - 1);
    assert.ok(lostFrom > 0 && lostFrom < nextBase);
    assert.equal(info.status.lostOffsets, nextBase - lostFrom);
    assert.equal(info.status.status, 'Online');

    const metric = await broker.metrics.registry.getSingleMetricAsString('eddy_partition_lost_offsets');
    assert.match(metric, new RegExp(`eddy_partition_lost_offsets\\{topic="${TOPIC}",partition="0"\\} ${nextBase - lostFrom}\\n?`));

    // Default: the records before the gap, then DataLoss naming it.
    const seen: number[] = [];
    let failure: unknown = null;
    try {
      for await (const r of client.consumer(TOPIC).stream(Offset.beginning(), { stopAtEnd: true })) seen.push(r.offset);
    } catch (err) {
      failure = err;
    }
    assert.ok(failure instanceof EddyError && failure.code === ErrorCode.DataLoss, String(failure));
    assert.match((failure as Error).message, new RegExp(`offsets ${lostFrom} to ${nextBase - 1} were lost to a damaged segment; data resumes at offset ${nextBase}`));
    assert.deepEqual(seen, Array.from({ length: lostFrom }, (_, i) => i));

    // Skip: everything the log still holds, in order, and one warning.
    const warnings: string[] = [];
    const skipping = client.consumer(TOPIC, { onDataLoss: 'skip', onWarning: (w) => warnings.push(w) });
    const all: number[] = [];
    for await (const r of skipping.stream(Offset.beginning(), { stopAtEnd: true })) all.push(r.offset);
    const expected = Array.from({ length: RECORDS }, (_, i) => i).filter((o) => o < lostFrom || o >= nextBase);
    assert.deepEqual(all, expected);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^skipping lost offsets: .*data resumes at offset/);
    await client.close();

    // The CLI: partition list shows it; consume fails by default and skips with the flag.
    const endpoint = ['--endpoint', `127.0.0.1:${port}`];
    const list = await runCli(['partition', 'list', TOPIC, ...endpoint], { home });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /DAMAGE/);
    assert.match(list.stdout, new RegExp(`offsets ${lostFrom}-${nextBase - 1} lost \\(damaged segment\\)`));
    const json = await runCli(['partition', 'list', TOPIC, '-O', 'json', ...endpoint], { home });
    assert.match(json.stdout, /"lostOffsets": ?\d+/);
    const failed = await runCli(['consume', TOPIC, '-B', '-d', ...endpoint], { home });
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /were lost to a damaged segment/);
    assert.equal(failed.stdout.trim().split('\n').length, lostFrom);
    const skipped = await runCli(['consume', TOPIC, '-B', '-d', '--skip-data-loss', ...endpoint], { home });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stdout.trim().split('\n').length, expected.length);
    assert.match(skipped.stderr, /^warning: skipping lost offsets/m);
  } finally {
    await broker.close().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
});
