// The only file of the bench that touches @eddy/client: connecting, topics, producers and streams.
// Keeping the client's surface in one place keeps the modes about measuring.
import { Eddy, Offset } from '@eddy/client';
import type { BenchCompression, BenchFlush } from './options.ts';

export type EddyClient = Eddy;

export function connectEddy(endpoint: string): Promise<Eddy> {
  return Eddy.connect({ endpoint });
}

export async function createTopic(eddy: Eddy, name: string, partitions: number, flush: BenchFlush): Promise<void> {
  await eddy.admin().createTopic(name, { partitions, flush });
}

export async function deleteTopic(eddy: Eddy, name: string): Promise<void> {
  await eddy.admin().deleteTopic(name);
}

export interface BenchProducerConfig {
  batchSize: number;
  lingerMs: number;
  compression: BenchCompression;
  maxInFlight: number;
  /** Bytes queued before send() waits. */
  maxQueueBytes: number;
}

export interface BenchProducer {
  /** Returns a thenable that settles when the record's batch is acknowledged. */
  send(value: Uint8Array): PromiseLike<unknown>;
  /** Sends keyless values; one promise that settles when all of them are acknowledged. */
  sendMany(values: Uint8Array[]): Promise<unknown>;
  /** Estimated bytes accepted but not yet acknowledged. */
  queuedBytes(): number;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openProducer(eddy: Eddy, topic: string, c: BenchProducerConfig): Promise<BenchProducer> {
  const p = await eddy.producer(topic, {
    batchSizeBytes: c.batchSize,
    lingerMs: c.lingerMs,
    compression: c.compression,
    maxInFlight: c.maxInFlight,
    maxQueueBytes: c.maxQueueBytes,
  });
  return {
    send: (value) => p.send(null, value),
    sendMany: (values) => p.sendMany(values),
    queuedBytes: () => p.stats().queuedBytes,
    flush: () => p.flush(),
    close: () => p.close(),
  };
}

export interface SmartModuleRef {
  name?: string;
  wasm?: Uint8Array;
  params?: Record<string, string>;
}

export interface StreamConfig {
  from: 'beginning' | 'end';
  partitions?: number[];
  /** End the stream once it has caught up with the end of the log. */
  stopAtEnd: boolean;
  signal?: AbortSignal;
  smartmodule?: SmartModuleRef;
}

/**
 * Larger responses and flow-control window than the client's defaults (1 MiB / 4 MiB): fewer
 * responses and acks per record on a replay, the consumer-side counterpart of a batch size.
 */
export const STREAM_MAX_BYTES = 4 * 1024 * 1024;
export const STREAM_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Streams records and hands each value to `onValue` until it returns false or the stream ends.
 * Reads a batch at a time (the client's `batches()`: one await per response, not per record);
 * a callback rather than a generator: one more async layer per record would be measured too.
 */
export async function consume(eddy: Eddy, topic: string, c: StreamConfig, onValue: (value: Uint8Array) => boolean): Promise<void> {
  const consumer = await eddy.consumer(topic);
  const stream = consumer.stream(c.from === 'beginning' ? Offset.beginning() : Offset.end(), {
    partitions: c.partitions,
    stopAtEnd: c.stopAtEnd,
    signal: c.signal,
    smartmodules: c.smartmodule ? [c.smartmodule] : undefined,
    maxBytes: STREAM_MAX_BYTES,
    windowBytes: STREAM_WINDOW_BYTES,
  });
  for await (const batch of stream.batches()) {
    for (const r of batch) {
      if (!onValue(r.value)) return;
    }
  }
}
