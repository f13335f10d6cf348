import { BatchBuilder, EddyError, ErrorCode } from '@eddy/protocol';
import { BATCH_START_BYTES, varint32Size } from '@eddy/protocol/internal';
import type { RecordHeader } from '@eddy/protocol';
import { ACCUMULATOR_POOL_SEGMENTS } from '../defaults.ts';

/** Batch header + record count: what an empty batch costs. */
export const BATCH_OVERHEAD_BYTES = BATCH_START_BYTES;
/** A record's framing (length, attributes, deltas, key flag, value length, header count), upper bound for small records. */
export const RECORD_OVERHEAD_BYTES = 12;

/** Estimated encoded size of a record (what a send waiting for queue room counts). */
export function recordSize(keyLength: number, valueLength: number, headerBytes = 0): number {
  return RECORD_OVERHEAD_BYTES + valueLength + (keyLength < 0 ? 0 : keyLength) + headerBytes;
}

/**
 * Records bound for one partition that travel (and are acknowledged) together. Each record is
 * encoded into the batch's buffer as it is appended; every send() into this batch shares its one
 * promise, and a record's offset is the batch's base offset + its index.
 */
export class ProducerBatch {
  readonly partition: number;
  /** Creation order across the producer: retried batches go back in this order. */
  readonly seq: number;
  /** Creation time: start of the linger period and the timestamp of records that carry none. */
  readonly createdMs: number;
  /** The records, encoded as they were appended. */
  readonly builder: BatchBuilder;
  /** Buffers the builder allocated (returned to the pool once the batch is acknowledged). */
  readonly allocated: Buffer[] = [];
  /** Exact encoded size (uncompressed), counted against the producer's queue limit until the batch settles. */
  sizeBytes = BATCH_OVERHEAD_BYTES;
  closed = false;
  /** The encoded wire batch(es), made once and reused by retries. */
  encoded: Buffer[] | null = null;
  /** Records stored for this batch when a local chain changed their number (-1: `count`). */
  storedCount = -1;
  /** With a local chain: input index -> index of its first output record, -1 when dropped. */
  outputIndex: Int32Array | null = null;
  /** The local chain's failure for this batch (it is not sent). */
  localError: Error | null = null;
  attempts = 0;
  /** Not to be sent again before this time (retry backoff). */
  retryAtMs = 0;
  settled = false;
  /** Marks the batch as already counted by one bulk send (sendMany). */
  mark = 0;
  /** Resolves with the base offset the broker assigned. Never rejects unhandled. */
  readonly promise: Promise<number>;
  private resolveFn!: (base: number) => void;
  private rejectFn!: (err: Error) => void;

  constructor(partition: number, seq: number, createdMs: number, initialBytes: number, maxSegmentBytes: number, allocate: (n: number) => Buffer) {
    this.partition = partition;
    this.seq = seq;
    this.createdMs = createdMs;
    this.builder = new BatchBuilder({
      timestamp: createdMs,
      initialBytes,
      maxSegmentBytes,
      allocate: (n) => {
        const b = allocate(n);
        this.allocated.push(b);
        return b;
      },
    });
    this.promise = new Promise<number>((resolve, reject) => { this.resolveFn = resolve; this.rejectFn = reject; });
    this.promise.catch(noop);
  }

  get count(): number { return this.builder.count; }

  resolve(baseOffset: number): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(baseOffset);
  }

  reject(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }
}

interface PartitionQueue {
  open: ProducerBatch | null;
  /** Closed batches waiting to be sent, oldest first. */
  ready: ProducerBatch[];
  /** First segment size of the next batch: what the last one needed. */
  sizeHint: number;
}

export interface AccumulatorOptions {
  batchSizeBytes: number;
  /** Largest batch the broker accepts (the topic's max record size); default unlimited. */
  maxBatchBytes?: number;
  /** Names the limit in RecordTooLarge errors, e.g. "topic 'x' max record size". */
  limitName?: string;
  /** Epoch ms, read when a batch opens. Default Date.now. */
  clock?: () => number;
  /**
   * Full-size segments kept for reuse (default 8): about the batches in flight, so a burst of
   * acks does not drop buffers the next batches then allocate again.
   */
  poolSegments?: number;
}

/** The smallest first segment (a pooled Buffer.allocUnsafe slice below 4 KiB is cheap). */
const MIN_SEGMENT_BYTES = 256;
/** Segments up to this size are allocated as asked; larger ones are full-size and recycled. */
const SMALL_SEGMENT_BYTES = 32 * 1024;

/**
 * Per-partition batching: records are encoded into the partition's open batch until it reaches
 * the batch size; closed batches queue in order until a request takes them. Batch buffers of
 * the full batch size are recycled once their batch is acknowledged. Knows nothing of the network.
 */
export class Accumulator {
  readonly batchSizeBytes: number;
  readonly maxBatchBytes: number;
  /** Exact bytes of all batches not yet settled (open, ready and in flight). */
  queuedBytes = 0;
  private readonly limitName: string;
  private readonly clock: () => number;
  private readonly parts: (PartitionQueue | undefined)[] = [];
  private seq = 0;
  private startAt = 0;
  /** Recycled full-size segments. */
  private readonly pool: Buffer[] = [];
  private readonly poolMax: number;
  /**
   * Small segments come from Node's shared pool (cheap); anything larger is a full-size segment,
   * recycled, so a steady stream of batches allocates no new memory whatever sizes they end at.
   */
  private readonly allocate = (n: number): Buffer => {
    if (n <= SMALL_SEGMENT_BYTES || n > this.batchSizeBytes) return Buffer.allocUnsafe(n);
    return this.pool.pop() ?? Buffer.allocUnsafe(this.batchSizeBytes);
  };

  constructor(opts: AccumulatorOptions) {
    this.batchSizeBytes = Math.max(BATCH_OVERHEAD_BYTES + 1, opts.batchSizeBytes);
    this.maxBatchBytes = opts.maxBatchBytes ?? Infinity;
    this.limitName = opts.limitName ?? 'the batch size limit';
    this.clock = opts.clock ?? Date.now;
    this.poolMax = Math.max(0, Math.floor(opts.poolSegments ?? ACCUMULATOR_POOL_SEGMENTS));
  }

  /**
   * Encodes a record into its partition's open batch (opening one as needed) and returns the
   * batch; the record's index is `batch.count - 1`. `keyLength` is -1 for a null key, `timestamp`
   * NaN for the batch's. Throws RecordTooLarge when the record cannot fit any batch.
   */
  append(
    partition: number,
    key: Uint8Array | null,
    keyLength: number,
    value: Uint8Array | string,
    valueLength: number,
    timestamp: number,
    headers: readonly RecordHeader[] | null,
    headerBytes: number,
  ): ProducerBatch {
    const q = this.parts[partition] ?? this.queue(partition);
    let b = q.open;
    const hc = headers === null ? 0 : headers.length;
    let body = 0;
    let bytes = 0;
    if (b !== null) {
      body = b.builder.bodyBytes(keyLength, valueLength, timestamp, hc, headerBytes);
      bytes = varint32Size(body) + body;
      if (b.sizeBytes + bytes > this.batchSizeBytes) {
        this.close(q, true);
        b = null;
      }
    }
    if (b === null) {
      b = this.open(q, partition, keyLength + valueLength + headerBytes);
      body = b.builder.bodyBytes(keyLength, valueLength, timestamp, hc, headerBytes);
      bytes = varint32Size(body) + body;
      if (BATCH_OVERHEAD_BYTES + bytes > this.maxBatchBytes) {
        // Nothing was appended: drop the empty batch again.
        q.open = null;
        this.queuedBytes -= b.sizeBytes;
        throw new EddyError(ErrorCode.RecordTooLarge, `a record of ${bytes} bytes cannot fit ${this.limitName} of ${this.maxBatchBytes} bytes (a batch adds ${BATCH_OVERHEAD_BYTES})`);
      }
    }
    b.builder.append(key, keyLength, value, valueLength, timestamp, headers, headerBytes, body);
    b.sizeBytes += bytes;
    this.queuedBytes += bytes;
    if (b.sizeBytes >= this.batchSizeBytes) this.close(q, true);
    return b;
  }

  /**
   * Takes batches for one request: every partition's ready batches, oldest first, after closing
   * open batches created at or before `closeOpenCreatedBefore` (Infinity closes all). Stops adding
   * once `maxBytes` is reached (always takes at least one batch). A partition whose oldest batch
   * waits for a retry contributes nothing, so its order is kept.
   */
  drain(nowMs: number, maxBytes: number, closeOpenCreatedBefore: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    let bytes = 0;
    const n = this.parts.length;
    // Rotate the starting partition so a size-limited request does not always favour partition 0.
    const start = this.startAt++ % Math.max(1, n);
    for (let k = 0; k < n; k++) {
      const q = this.parts[(start + k) % n];
      if (q === undefined) continue;
      if (q.open !== null && q.open.count > 0 && q.open.createdMs <= closeOpenCreatedBefore) this.close(q, false);
      while (q.ready.length > 0) {
        const b = q.ready[0];
        if (b.retryAtMs > nowMs) break;
        if (out.length > 0 && bytes + b.sizeBytes > maxBytes) return out;
        q.ready.shift();
        out.push(b);
        bytes += b.sizeBytes;
      }
    }
    return out;
  }

  /** Puts a batch that failed back at the front of its partition's queue, in creation order. */
  requeue(b: ProducerBatch): void {
    const q = this.queue(b.partition);
    let i = 0;
    while (i < q.ready.length && q.ready[i].seq < b.seq) i++;
    q.ready.splice(i, 0, b);
  }

  /**
   * A batch settled: its bytes no longer count against the queue. After a successful ack its
   * buffers are recycled: the broker answered, so the socket has finished reading them.
   */
  release(b: ProducerBatch, acknowledged: boolean): void {
    this.queuedBytes -= b.sizeBytes;
    if (!acknowledged) return;
    for (const buf of b.allocated) {
      if (buf.length === this.batchSizeBytes && this.pool.length < this.poolMax) this.pool.push(buf);
    }
    b.allocated.length = 0;
  }

  /** Drops the recycled segments (the producer closed). */
  clearPool(): void {
    this.pool.length = 0;
  }

  /** Every batch not yet taken by drain (open and ready). */
  unsent(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.parts) {
      if (q === undefined) continue;
      out.push(...q.ready);
      if (q.open !== null && q.open.count > 0) out.push(q.open);
    }
    return out;
  }

  /** The `seq` the next batch will get: every batch made so far has a smaller one. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Removes and returns a partition's batches not yet taken by drain (ready, then the open one). */
  takeUnsent(partition: number): ProducerBatch[] {
    const q = this.parts[partition];
    if (q === undefined) return [];
    const out = q.ready.splice(0);
    if (q.open !== null && q.open.count > 0) {
      q.open.closed = true;
      out.push(q.open);
      q.open = null;
    }
    return out;
  }

  /** Whether any batch is ready to send at `nowMs` (ignoring open ones). */
  hasReady(nowMs: number): boolean {
    for (const q of this.parts) if (q !== undefined && q.ready.length > 0 && q.ready[0].retryAtMs <= nowMs) return true;
    return false;
  }

  /** Earliest time something becomes sendable: an open batch's linger end or a retry's backoff end. */
  nextDeadline(lingerMs: number): number {
    let t = Infinity;
    for (const q of this.parts) {
      if (q === undefined) continue;
      if (q.open !== null && q.open.count > 0) t = Math.min(t, q.open.createdMs + lingerMs);
      if (q.ready.length > 0) t = Math.min(t, q.ready[0].retryAtMs);
    }
    return t;
  }

  private queue(partition: number): PartitionQueue {
    let q = this.parts[partition];
    if (q === undefined) {
      q = { open: null, ready: [], sizeHint: MIN_SEGMENT_BYTES };
      this.parts[partition] = q;
    }
    return q;
  }

  private open(q: PartitionQueue, partition: number, firstRecordBytes: number): ProducerBatch {
    const want = Math.min(this.batchSizeBytes, Math.max(q.sizeHint, BATCH_OVERHEAD_BYTES + RECORD_OVERHEAD_BYTES + firstRecordBytes));
    const b = new ProducerBatch(partition, this.seq++, this.clock(), want, this.batchSizeBytes, this.allocate);
    q.open = b;
    this.queuedBytes += b.sizeBytes;
    return b;
  }

  /** Closes the open batch; the next one of the partition starts with room for as much. */
  private close(q: PartitionQueue, full: boolean): void {
    const b = q.open!;
    b.closed = true;
    q.open = null;
    q.ready.push(b);
    q.sizeHint = full ? this.batchSizeBytes : Math.min(this.batchSizeBytes, Math.max(MIN_SEGMENT_BYTES, nextPowerOfTwo(b.sizeBytes)));
  }
}

function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

function noop(): void {}
