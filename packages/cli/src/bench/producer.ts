// `eddy bench producer`: N producers (one connection each) send records as fast as the client
// takes them, a chunk at a time through the client's bulk send (one promise per chunk). Latency
// is send to ack, measured per chunk (one timestamp and one ack callback per chunk, so timing
// costs nothing per record).
import { connectEddy, openProducer, type BenchProducer, type BenchProducerConfig, type EddyClient } from './eddy_client.ts';
import { payloadPool } from './payload.ts';
import { LatencyRecorder, throughput, type LatencySummary, type Throughput } from './report.ts';

export interface ProducerRun extends BenchProducerConfig {
  endpoint: string;
  topic: string;
  numRecords: number;
  recordSize: number;
  producers: number;
  /** Called now and then with the records acknowledged so far. */
  onProgress?: (acked: number) => void;
  /** Values to send (cycled); default a pool of printable payloads of recordSize. */
  values?: Buffer[];
}

export interface ProducerResult {
  throughput: Throughput;
  latency: LatencySummary | undefined;
}

export const DEFAULT_MAX_QUEUE_BYTES = 32 * 1024 * 1024;

/** Records per sendMany call: about 256 KiB (at most 1024 records), so per-chunk work stays small. */
function chunkRecords(recordSize: number): number {
  return Math.max(8, Math.min(1024, Math.floor(262144 / recordSize)));
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Sends `count` records through one producer, keeping at most `queueLimit` bytes unacknowledged. */
async function drive(p: BenchProducer, count: number, values: Buffer[], recordSize: number, queueLimit: number, latency: LatencyRecorder, acked: { n: number }, onProgress?: (n: number) => void): Promise<void> {
  const chunk = chunkRecords(recordSize);
  const pending: PromiseLike<unknown>[] = [];
  let sent = 0;
  let v = 0;
  while (sent < count) {
    // Backpressure of our own: wait for the oldest chunk while too much is unacknowledged, so the
    // client never parks sends (which would make the chunk's latency meaningless).
    while (pending.length > 0 && p.queuedBytes() > queueLimit) await pending.shift();
    const n = Math.min(chunk, count - sent);
    const batch = new Array<Buffer>(n);
    for (let i = 0; i < n; i++) {
      batch[i] = values[v];
      if (++v === values.length) v = 0;
    }
    const start = performance.now();
    const done = p.sendMany(batch).then(() => {
      latency.recordNsTimes((performance.now() - start) * 1e6, n);
      acked.n += n;
      onProgress?.(acked.n);
    });
    sent += n;
    pending.push(done);
    if (pending.length > 4096) pending.splice(0, 2048); // bound memory: acks come in order
    await yieldToLoop();
  }
  await p.flush();
}

/** Runs the producers against an existing topic; connections are opened before the clock starts. */
export async function runProducers(run: ProducerRun): Promise<ProducerResult> {
  const values = run.values ?? payloadPool(run.recordSize);
  const clients: EddyClient[] = await Promise.all(Array.from({ length: run.producers }, () => connectEddy(run.endpoint)));
  try {
    const producers = await Promise.all(clients.map((c) => openProducer(c, run.topic, run)));
    const latency = new LatencyRecorder('send to ack');
    const acked = { n: 0 };
    const per = Math.floor(run.numRecords / run.producers);
    const extra = run.numRecords - per * run.producers;
    const start = performance.now();
    // Enough unacknowledged data to keep every request slot busy with full batches, and no more
    // (more only adds queueing delay to the latency figures).
    const window = Math.min(run.maxQueueBytes / 2, Math.max(2 * run.batchSize, run.maxInFlight * run.batchSize));
    await Promise.all(producers.map((p, i) => drive(p, per + (i < extra ? 1 : 0), values, run.recordSize, window, latency, acked, run.onProgress)));
    const seconds = (performance.now() - start) / 1000;
    await Promise.all(producers.map((p) => p.close()));
    return { throughput: throughput(run.numRecords, run.numRecords * run.recordSize, seconds), latency: latency.summary() };
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
