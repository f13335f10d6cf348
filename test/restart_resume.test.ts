// Issue 2, done-when: a consumer streaming while the broker PROCESS is killed (-9) and restarted
// resumes without loss or duplicates of delivered records, while a producer keeps sending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnBroker } from '../packages/broker/test/support/launcher.ts';
import { brokerLaunch } from '@eddy/cli/internal';
import { Eddy, Offset, type RecordMetadata } from '@eddy/client';

/** The broker as users run it (the bundle when current), its log in the data dir. */
const asUsersRunIt = (dataDir: string, port: number) =>
  ({ entry: brokerLaunch().args, dataDir, port, logFile: join(dataDir, 'broker.log'), stderr: 'inherit' as const });


test('kill -9 of the broker process mid-stream: the consumer resumes, every acked record delivered exactly once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-resume-'));
  const port = await freePort();
  let broker = await spawnBroker(asUsersRunIt(dataDir, port));
  const eddy = await Eddy.connect({ endpoint: `127.0.0.1:${port}` });
  try {
    await eddy.admin().createTopic('resume', { partitions: 3 });
    const producer = await eddy.producer('resume', { retries: 100, maxRetryBackoffMs: 200 });
    const total = 6000;
    const acked: RecordMetadata[] = new Array(total);
    const sendRange = async (from: number, to: number) => {
      for (let w = from; w < to; w += 250) {
        const wave = Array.from({ length: Math.min(250, to - w) }, (_, j) => w + j);
        const metas = await Promise.all(wave.map((i) => producer.send(`k${i}`, `v${i}`)));
        wave.forEach((i, j) => { acked[i] = metas[j]; });
      }
    };
    await sendRange(0, 3000);

    const seen = new Map<string, string>();
    const last = [-1, -1, -1];
    let killed = false;
    let more: Promise<void> | null = null;
    const ends = new Set<number>();
    const stream = eddy.consumer('resume', { reconnectTimeoutMs: 30_000 }).stream(Offset.beginning());
    for await (const r of stream) {
      const id = `${r.partition}/${r.offset}`;
      assert.ok(!seen.has(id), `duplicate delivery of ${id}`);
      assert.ok(r.offset > last[r.partition], `partition ${r.partition} went back from ${last[r.partition]} to ${r.offset}`);
      last[r.partition] = r.offset;
      seen.set(id, r.value.toString());
      if (!killed && seen.size === 1500) {
        killed = true;
        await broker.kill('SIGKILL');
        // Retried until the broker is back; then one end marker per partition, sent after every
        // record was acknowledged, so seeing all markers means everything before them was seen.
        more = sendRange(3000, total).then(async () => {
          await Promise.all([0, 1, 2].map((partition) => producer.send(null, 'end', { partition })));
        });
        broker = await spawnBroker(asUsersRunIt(dataDir, port));
      }
      if (r.value.toString() === 'end') ends.add(r.partition);
      if (ends.size === 3) break;
    }
    await more;
    for (let i = 0; i < total; i++) {
      assert.equal(seen.get(`${acked[i].partition}/${acked[i].offset}`), `v${i}`, `record ${i}`);
    }
    await producer.close();
  } finally {
    await eddy.close();
    broker.proc.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
