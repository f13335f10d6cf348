import type { CompressionName } from '@eddy/protocol';
import type { SmartEngine } from '@eddy/smartengine';
import { PRODUCER_DEFAULTS } from '../defaults.ts';
import type { Partitioner } from '../partitioner.ts';
import type { SmartModuleSpec } from '../smartmodule_spec.ts';

export interface ProducerOptions {
  /** Close a partition's batch once it holds about this many bytes. Default 64 KiB. */
  batchSizeBytes?: number;
  /**
   * How long a batch may wait for more records before it is sent. Default 0: a batch leaves at the
   * end of the current event-loop turn, so a synchronous burst of sends shares batches, and while
   * `maxInFlight` requests are outstanding batches keep filling (adaptive batching).
   */
  lingerMs?: number;
  compression?: CompressionName;
  /** Picks the partition of records sent without one. Default: murmur2 of the key, round robin without a key. */
  partitioner?: Partitioner;
  /** Produce requests outstanding at once. Default 5. */
  maxInFlight?: number;
  /** send() waits while records not yet acknowledged exceed this many bytes. Default 32 MiB. */
  maxQueueBytes?: number;
  /** Upper bound of one Produce request (several partitions' batches). Default 8 MiB. */
  maxRequestBytes?: number;
  /** Times a batch is re-sent after a retriable error (broker unavailable, timeout, not leader, disk full). Default 10. */
  retries?: number;
  /** First retry delay, doubling per attempt (with jitter). Default 100 ms. */
  retryBackoffMs?: number;
  /** Retry delay cap. Default 5 s. */
  maxRetryBackoffMs?: number;
  /** Called when a batch is about to be re-sent (attempt 1..retries), e.g. to say the broker is unreachable. */
  onRetry?: (attempt: number, retries: number, error: Error) => void;
  /** Time the broker may take to store a request, and the client waits for its answer. Default 30 s. */
  timeoutMs?: number;
  /** SmartModules the broker runs on produced records before storing them. */
  smartmodules?: SmartModuleSpec[];
  /**
   * A chain run in this process on each batch before it is sent (one instance per partition);
   * each module needs its wasm (`path` or `wasm`). A record the chain drops resolves with
   * offset -1; a batch in which a module rejects a record fails as a whole.
   */
  localSmartmodules?: SmartModuleSpec[];
  /** Engine for local chains; default a shared one (two sandbox workers, 1 s per call, 64 MiB per instance). */
  smartEngine?: SmartEngine;
}

export type HeadersInput = Record<string, string | Uint8Array> | readonly (readonly [string, string | Uint8Array])[];

export interface SendOptions {
  /** Explicit partition (wins over the partitioner). */
  partition?: number;
  /** Record timestamp in epoch ms; default the time its batch was opened. */
  timestamp?: number;
  headers?: HeadersInput;
}

export interface ProducerRecord extends SendOptions {
  key?: string | Uint8Array | null;
  value: string | Uint8Array;
}

export interface ProducerStats {
  /** Estimated bytes of records accepted but not yet acknowledged. */
  queuedBytes: number;
  /** send() calls waiting for queue space. */
  waitingSends: number;
  inFlightRequests: number;
  /** Batches not yet acknowledged (open, queued or in flight). */
  pendingBatches: number;
  /** Batches re-sent after a retriable error, since the producer was created. */
  retries: number;
}

/** The numeric producer options, every one set. */
export type ProducerLimits = { -readonly [K in keyof typeof PRODUCER_DEFAULTS]: number };

/** The numeric options with defaults filled in; throws RangeError for a value out of range. */
export function producerLimits(opts: ProducerOptions): ProducerLimits {
  const o: ProducerLimits = { ...PRODUCER_DEFAULTS };
  for (const k of Object.keys(PRODUCER_DEFAULTS) as (keyof ProducerLimits)[]) {
    const v = opts[k];
    if (v === undefined) continue;
    const min = k === 'lingerMs' || k === 'retries' || k === 'retryBackoffMs' ? 0 : 1;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new RangeError(`producer option ${k} must be a number >= ${min}, got ${v}`);
    o[k] = v;
  }
  return o;
}
