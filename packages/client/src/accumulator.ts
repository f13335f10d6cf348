import type { RecordInput } from '@eddy/protocol';

/** Batch header (57) + record count (4): what an empty batch costs. */
export const BATCH_OVERHEAD_BYTES = 61;
/** A record's framing (length, attributes, deltas, key flag, value length, header count), upper bound for small records. */
export const RECORD_OVERHEAD_BYTES = 12;

/** Estimated encoded size of a record (exact enough for batching and queue limits). */
export function recordSize(key: Uint8Array | null, value: Uint8Array, headers?: readonly (readonly [string, Uint8Array])[] | null): number {
  let n = RECORD_OVERHEAD_BYTES + value.length + (key === null ? 0 : key.length);
  if (headers) for (const [k, v] of headers) n += 10 + k.length + v.length;
  return n;
}

/**
 * Records bound for one partition that travel (and are acknowledged) together. Every send() into
 * this batch shares its one promise; a record's offset is the batch's base offset + its index.
 */
export class ProducerBatch {
  readonly partition: number;
  /** Creation order across the producer: retried batches go back in this order. */
  readonly seq: number;
  /** Creation time: start of the linger period and the timestamp of records that carry none. */
  readonly createdMs: number;
  records: RecordInput[] = [];
  count = 0;
  /** Estimated encoded size, counted against the producer's queue limit until the batch settles. */
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
  /** Resolves with the base offset the broker assigned. Never rejects unhandled. */
  readonly promise: Promise<number>;
  private resolveFn!: (base: number) => void;
  private rejectFn!: (err: Error) => void;

  constructor(partition: number, seq: number, createdMs: number) {
    this.partition = partition;
    this.seq = seq;
    this.createdMs = createdMs;
    this.promise = new Promise<number>((resolve, reject) => { this.resolveFn = resolve; this.rejectFn = reject; });
    this.promise.catch(noop);
  }

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
}

export interface AccumulatorOptions {
  batchSizeBytes: number;
}

/**
 * Per-partition batching: records append to the partition's open batch until it reaches the batch
 * size; closed batches queue in order until a request takes them. Knows nothing of the network.
 */
export class Accumulator {
  readonly batchSizeBytes: number;
  /** Estimated bytes of all batches not yet settled (open, ready and in flight). */
  queuedBytes = 0;
  private readonly parts: (PartitionQueue | undefined)[] = [];
  private seq = 0;
  private startAt = 0;

  constructor(opts: AccumulatorOptions) {
    this.batchSizeBytes = opts.batchSizeBytes;
  }

  /** Adds a record; returns its batch and index in it. */
  append(partition: number, record: RecordInput, size: number, nowMs: number): { batch: ProducerBatch; index: number } {
    const q = this.queue(partition);
    let b = q.open;
    if (b !== null && b.count > 0 && b.sizeBytes + size > this.batchSizeBytes) {
      this.close(q);
      b = null;
    }
    if (b === null) {
      b = new ProducerBatch(partition, this.seq++, nowMs);
      q.open = b;
      this.queuedBytes += b.sizeBytes;
    }
    const index = b.count;
    b.records.push(record);
    b.count++;
    b.sizeBytes += size;
    this.queuedBytes += size;
    if (b.sizeBytes >= this.batchSizeBytes) this.close(q);
    return { batch: b, index };
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
      if (q.open !== null && q.open.count > 0 && q.open.createdMs <= closeOpenCreatedBefore) this.close(q);
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

  /** A batch settled: its bytes no longer count against the queue. */
  release(b: ProducerBatch): void {
    this.queuedBytes -= b.sizeBytes;
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
      q = { open: null, ready: [] };
      this.parts[partition] = q;
    }
    return q;
  }

  private close(q: PartitionQueue): void {
    const b = q.open!;
    b.closed = true;
    q.open = null;
    q.ready.push(b);
  }
}

function noop(): void {}
