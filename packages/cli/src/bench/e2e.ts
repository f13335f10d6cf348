// `eddy bench e2e`: one producer sends at a fixed rate, one consumer streams from the end of the
// log; latency is from the send to the consumer receiving the record. The pacer wakes about once
// a millisecond and sends what is due in one bulk send, each record stamped just before it. Both
// run in this process, so the send time travels in the record (first 8 bytes) and is read on the
// same clock.
import { consume, connectEddy, openProducer } from './eddy_client.ts';
import { pacedTicks } from './pace.ts';
import { ageMs, payloadPool, stampedValue } from './payload.ts';
import { LatencyRecorder, throughput, type LatencySummary, type Throughput } from './report.ts';
import type { BenchCompression } from './options.ts';

export interface E2eRun {
  endpoint: string;
  topic: string;
  numRecords: number;
  recordSize: number;
  rate: number;
  batchSize: number;
  lingerMs: number;
  compression: BenchCompression;
  maxInFlight: number;
  onProgress?: (received: number) => void;
  values?: Buffer[];
}

export interface E2eResult {
  throughput: Throughput;
  latency: LatencySummary | undefined;
}

/** Byte 8 of a probe record: payload bytes are printable, so a zero never occurs in measured ones. */
const PROBE = 0;

export async function runE2e(run: E2eRun): Promise<E2eResult> {
  if (run.recordSize < 16) throw new RangeError('e2e needs --record-size >= 16 (send time and probe mark)');
  const values = run.values ?? payloadPool(run.recordSize);
  const [pubConn, subConn] = await Promise.all([connectEddy(run.endpoint), connectEddy(run.endpoint)]);
  const abort = new AbortController();
  try {
    const producer = await openProducer(pubConn, run.topic, { ...run, maxQueueBytes: 32 * 1024 * 1024 });
    const latency = new LatencyRecorder('send to receive');
    let received = 0;
    let probed = false;
    let allReceived!: () => void;
    const done = new Promise<void>((r) => { allReceived = r; });
    const reading = consume(subConn, run.topic, { from: 'end', stopAtEnd: false, signal: abort.signal }, (value) => {
      if (value[8] === PROBE) {
        probed = true;
        return true;
      }
      latency.recordNs(ageMs(value) * 1e6);
      received++;
      if ((received & 1023) === 0) run.onProgress?.(received);
      if (received >= run.numRecords) {
        allReceived();
        return false;
      }
      return true;
    });
    reading.catch(() => {}); // surfaced through `done` timing out or below
    // The stream starts at the end of the log once the broker has it: probe until a record comes back.
    const probeDeadline = performance.now() + 10_000;
    while (!probed) {
      if (performance.now() > probeDeadline) throw new Error('e2e: the consumer stream received nothing within 10 s');
      const probe = stampedValue(run.recordSize, values[0]);
      probe[8] = PROBE;
      void producer.send(probe);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 50)); // let the last probes drain
    const start = performance.now();
    // Each wake-up's backlog goes in one bulk send (errors surface from flush() below).
    await pacedTicks(run.numRecords, run.rate, (from, to) => {
      const batch = new Array<Buffer>(to - from);
      for (let i = from; i < to; i++) batch[i - from] = stampedValue(run.recordSize, values[i % values.length]);
      producer.sendMany(batch).catch(() => {});
    });
    await producer.flush();
    const timeout = setTimeout(() => abort.abort(), 30_000);
    await Promise.race([done, reading.then(() => { if (received < run.numRecords) throw new Error(`e2e: stream ended after ${received}/${run.numRecords} records`); })]);
    clearTimeout(timeout);
    const seconds = (performance.now() - start) / 1000;
    run.onProgress?.(received);
    await producer.close();
    return { throughput: throughput(received, received * run.recordSize, seconds), latency: latency.summary() };
  } finally {
    abort.abort();
    await Promise.allSettled([pubConn.close(), subConn.close()]);
  }
}
