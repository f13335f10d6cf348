import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker } from '@eddy/broker';
import { Eddy, Offset } from '@eddy/client';

const N = Number(process.env.N ?? 500_000);
const comp = (process.env.C ?? 'none') as any;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-'));
const broker = await startBroker({ dataDir: dir, port: 0, metricsPort: -1, logger: { level: 'warn' } });
try {
  const eddy = await Eddy.connect({ endpoint: `127.0.0.1:${broker.port}` });
  await eddy.admin().createTopic('b', { partitions: Number(process.env.P ?? 1) });
  const p = await eddy.producer('b', { compression: comp });
  const value = Buffer.alloc(100, 120);
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const f = p.send(null, value);
    if (p.stats().waitingSends > 0 || (i & 1023) === 1023 && p.stats().queuedBytes > 16e6) await f;
  }
  await p.flush();
  let dt = performance.now() - t0;
  console.log(`produce ${N} x 100B: ${(N / dt * 1000 / 1e6).toFixed(2)} M rec/s ${(N * 100 / dt / 1e3).toFixed(0)} MB/s`);
  t0 = performance.now();
  let n = 0;
  for await (const r of eddy.consumer('b').stream(Offset.beginning(), { stopAtEnd: true })) n++;
  dt = performance.now() - t0;
  console.log(`consume ${n}: ${(n / dt * 1000 / 1e6).toFixed(2)} M rec/s`);
  await eddy.close();
} finally {
  await broker.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
