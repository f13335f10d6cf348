import { EddyError, ErrorCode, parseCompression, errorFromCode, errorCodeName, headersBytes, visitRecords } from '@eddy/protocol';
import type { CompressionCode, CompressionName, RecordHeader, RecordInput, ProduceResponse, SmartModuleInvocation } from '@eddy/protocol';
import type { SmartChain, SmartEngine } from '@eddy/smartengine';
import { Accumulator, ProducerBatch, recordSize } from './accumulator.ts';
import { encodeBounded } from './batch_encoder.ts';
import { backoffDelay } from './backoff.ts';
import type { BrokerClient } from './broker_client.ts';
import { defaultPartitioner, type Partitioner } from './partitioner.ts';
import { ProduceRequestParts } from './produce_request.ts';
import { RecordFuture, type RecordMetadata } from './record_future.ts';
import { LocalSmartModules, localError, transformProducedSection } from './local_smartmodules.ts';
import { partitionLookBack } from './look_back_reader.ts';
import { toInvocations, type SmartModuleSpec } from './smartmodule_spec.ts';

export type { RecordMetadata } from './record_future.ts';

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
  /** Times a batch is re-sent after a retriable error (broker unavailable, timeout, not leader). Default 10. */
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

/** A send (or the rest of a bulk send) waiting for queue room; run() appends it, false: wait again. */
interface Waiter {
  seq: number;
  size: number;
  run(): boolean;
}

const DEFAULTS = {
  batchSizeBytes: 64 * 1024,
  lingerMs: 0,
  maxInFlight: 5,
  maxQueueBytes: 32 * 1024 * 1024,
  maxRequestBytes: 8 * 1024 * 1024,
  retries: 10,
  retryBackoffMs: 100,
  maxRetryBackoffMs: 5000,
  timeoutMs: 30_000,
};

/**
 * Sends records to one topic. Records are batched per partition, each batch encoded once into one
 * buffer, and every ready batch of every partition travels in one Produce request; up to
 * `maxInFlight` requests are outstanding. Delivery is at least once: a retried batch whose first
 * attempt was stored but not acknowledged is stored twice. Order within a partition holds except
 * when a batch is retried while a later batch of the same partition is already in flight (a lost
 * connection fails and re-queues all of them together, in order); use `maxInFlight: 1` for strict
 * order under every kind of partial failure.
 */
export class Producer {
  readonly topic: string;
  readonly partitionCount: number;
  /** The topic's max record size: the largest batch the broker accepts. */
  readonly maxBatchBytes: number;
  private readonly broker: BrokerClient;
  private readonly acc: Accumulator;
  private readonly partitioner: Partitioner;
  private readonly compression: CompressionCode;
  private readonly smartmodules: SmartModuleInvocation[];
  private readonly local: LocalSmartModules | null;
  private readonly chains = new Map<number, Promise<SmartChain>>();
  /** With a local chain, requests leave in the order they were drained (transforms finish out of order). */
  private dispatchTail: Promise<void> = Promise.resolve();
  private readonly o: typeof DEFAULTS;
  private readonly pending = new Set<ProducerBatch>();
  private waiters: Waiter[] = [];
  private inFlight = 0;
  private retried = 0;
  private readonly onRetry: ProducerOptions['onRetry'] | null;
  private drainScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private flushing = 0;
  private waiterSeq = 0;
  /**
   * Per partition: a batch ran out of retries with this error; batches made before `seq` fail
   * with it at once instead of each going through its own retry cycle (newer ones get a fresh try).
   */
  private readonly gaveUp = new Map<number, { seq: number; err: Error }>();
  /** Flushes waiting for queued sends to run. */
  private waiterRan: (() => void)[] = [];
  private bulkCalls = 0;
  private closing = false;
  private closed = false;

  /** Use `eddy.producer(topic, opts)`. */
  static async create(broker: BrokerClient, topic: string, opts: ProducerOptions = {}): Promise<Producer> {
    const t = await broker.topic(topic);
    const partitions = Math.max(t.spec.partitions, t.status.partitions.length);
    return new Producer(broker, topic, partitions, t.spec.maxRecordBytes > 0 ? t.spec.maxRecordBytes : Infinity, opts);
  }

  private constructor(broker: BrokerClient, topic: string, partitionCount: number, maxBatchBytes: number, opts: ProducerOptions) {
    this.broker = broker;
    this.topic = topic;
    this.partitionCount = partitionCount;
    this.maxBatchBytes = maxBatchBytes;
    this.o = { ...DEFAULTS };
    for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const v = opts[k];
      if (v === undefined) continue;
      const min = k === 'lingerMs' || k === 'retries' || k === 'retryBackoffMs' ? 0 : 1;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new RangeError(`producer option ${k} must be a number >= ${min}, got ${v}`);
      this.o[k] = v;
    }
    this.onRetry = opts.onRetry ?? null;
    this.compression = parseCompression(opts.compression ?? 'none');
    this.partitioner = opts.partitioner ?? defaultPartitioner();
    this.smartmodules = toInvocations(opts.smartmodules);
    const localSpecs = opts.localSmartmodules ?? [];
    this.local = localSpecs.length === 0 ? null : new LocalSmartModules(localSpecs, {
      ...(opts.smartEngine ? { engine: opts.smartEngine } : {}),
      readLookBack: partitionLookBack(broker, topic),
      topic,
    });
    // The broker refuses batches over the topic's max record size: never plan bigger ones.
    this.acc = new Accumulator({
      batchSizeBytes: Math.min(this.o.batchSizeBytes, maxBatchBytes),
      maxBatchBytes,
      limitName: `topic '${topic}' max record size`,
      poolSegments: this.o.maxInFlight + 2,
    });
  }

  /**
   * Queues a record; the promise resolves with its offset once the broker acknowledged its batch.
   * The record is encoded into its batch at once, so a Uint8Array value can be reused as soon as
   * send() returns (unless the send had to wait for room). When more than `maxQueueBytes` are
   * unacknowledged, the record waits for room first.
   */
  send(key: string | Uint8Array | null | undefined, value: string | Uint8Array, opts?: SendOptions): Promise<RecordMetadata> {
    let k: Uint8Array | null;
    let vl: number;
    let ts = NaN;
    let headers: RecordHeader[] | null = null;
    let hb = 0;
    try {
      if (this.closing) throw this.closedError();
      k = keyBytes(key);
      vl = valueLength(value);
      if (opts !== undefined) {
        if (opts.timestamp !== undefined) ts = checkTimestamp(opts.timestamp);
        if (opts.headers !== undefined) {
          headers = toHeaders(opts.headers);
          hb = headersBytes(headers);
        }
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const kl = k === null ? -1 : k.length;
    const partition = opts?.partition;
    const size = recordSize(kl, vl, hb);
    if (!this.mustWait(size, false)) {
      try {
        const b = this.append(k, kl, value, vl, partition, ts, headers, hb);
        return new RecordFuture(this.topic, b, b.count - 1);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.waitForRoom(size, () => this.append(k, kl, value, vl, partition, ts, headers, hb)).then((slot) => slot.future);
  }

  /**
   * Queues many records with one promise for all of them and no object per record: the fast path
   * for tools that move records in bulk. An element is a record, or a bare value (no key). Resolves
   * once every record is acknowledged; rejects with the first error. Waits for queue room like
   * send(), keeping order with other sends. A bad record rejects the call, and the records before
   * it are still sent.
   */
  sendMany(records: readonly (ProducerRecord | Uint8Array | string)[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const token = ++this.bulkCalls;
    const touched: ProducerBatch[] = [];
    let i = 0;
    let waitSize = 0;
    // Appends from record i on while there is room; false when it has to wait (waitSize set).
    const step = (atHead: boolean): boolean => {
      for (; i < records.length; i++) {
        const r = records[i];
        let k: Uint8Array | null = null;
        let value: string | Uint8Array;
        let ts = NaN;
        let partition: number | undefined;
        let headers: RecordHeader[] | null = null;
        let hb = 0;
        let vl: number;
        if (r instanceof Uint8Array) {
          value = r;
          vl = r.length;
        } else if (typeof r === 'string') {
          value = r;
          vl = Buffer.byteLength(r, 'utf8');
        } else if (typeof r === 'object' && r !== null) {
          value = r.value;
          vl = valueLength(value);
          k = keyBytes(r.key);
          if (r.timestamp !== undefined) ts = checkTimestamp(r.timestamp);
          partition = r.partition;
          if (r.headers !== undefined) {
            headers = toHeaders(r.headers);
            hb = headersBytes(headers);
          }
        } else {
          throw new TypeError(`record ${i} must be a record object, a string or a Uint8Array, got ${r === null ? 'null' : typeof r}`);
        }
        const kl = k === null ? -1 : k.length;
        const size = recordSize(kl, vl, hb);
        if (this.mustWait(size, atHead)) {
          waitSize = size;
          return false;
        }
        atHead = true; // once one record went in, the rest follow it without queueing behind others
        const b = this.append(k, kl, value, vl, partition, ts, headers, hb);
        if (b.mark !== token) {
          b.mark = token;
          touched.push(b);
        }
      }
      return true;
    };
    const settled = (): Promise<void> => {
      if (touched.length === 1) return touched[0].promise.then(noop);
      return Promise.all(touched.map((b) => b.promise)).then(noop);
    };
    try {
      if (step(false)) return settled();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        seq: ++this.waiterSeq,
        size: waitSize,
        run: () => {
          try {
            if (!step(true)) {
              w.size = waitSize;
              return false;
            }
            settled().then(resolve, reject);
          } catch (err) {
            reject(err);
          }
          return true;
        },
      };
      this.waiters.push(w);
      this.drainNow();
    });
  }

  /** Queues many records (waiting for room as needed) and resolves with their metadata, in order. */
  async sendBatch(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    const futures = new Array<RecordFuture | Promise<{ future: RecordFuture }>>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (this.closing) throw this.closedError();
      const k = keyBytes(r.key);
      const vl = valueLength(r.value);
      const ts = r.timestamp === undefined ? NaN : checkTimestamp(r.timestamp);
      const headers = r.headers === undefined ? null : toHeaders(r.headers);
      const hb = headers === null ? 0 : headersBytes(headers);
      const kl = k === null ? -1 : k.length;
      const size = recordSize(kl, vl, hb);
      const add = () => this.append(k, kl, r.value, vl, r.partition, ts, headers, hb);
      if (this.mustWait(size, false)) {
        futures[i] = this.waitForRoom(size, add);
      } else {
        const b = add();
        futures[i] = new RecordFuture(this.topic, b, b.count - 1);
      }
    }
    const list: RecordFuture[] = new Array(records.length);
    for (let i = 0; i < futures.length; i++) {
      const f = futures[i];
      list[i] = f instanceof RecordFuture ? f : (await f).future;
    }
    const bases = new Map<ProducerBatch, number>();
    for (const f of list) if (!bases.has(f.batch)) bases.set(f.batch, -1);
    await Promise.all([...bases.keys()].map(async (b) => { bases.set(b, await b.promise); }));
    return list.map((f) => ({ topic: this.topic, partition: f.batch.partition, offset: f.offsetFrom(bases.get(f.batch)!) }));
  }

  /**
   * Sends everything queued so far (ignoring linger) and resolves once it is acknowledged; rejects
   * with the first error of any of those records.
   */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      const batches = new Set(this.pending);
      this.drainNow();
      // Sends waiting for room were accepted before this flush: wait until they are queued too.
      const last = this.waiterSeq;
      while (this.waiters.length > 0 && this.waiters[0].seq <= last) {
        await new Promise<void>((resolve) => { this.waiterRan.push(resolve); });
        this.drainNow();
      }
      for (const b of this.pending) batches.add(b);
      this.drainNow();
      let first: unknown = null;
      await Promise.all([...batches].map((b) => b.promise.catch((err) => { first ??= err; })));
      if (first !== null) throw first;
    } finally {
      this.flushing--;
    }
  }

  /** Flushes, then refuses further sends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.acc.clearPool();
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await Promise.all([...this.chains.values()].map((c) => c.then((chain) => chain.close(), noop).catch(noop)));
      this.chains.clear();
    }
  }

  stats(): ProducerStats {
    return {
      queuedBytes: this.acc.queuedBytes,
      waitingSends: this.waiters.length,
      inFlightRequests: this.inFlight,
      pendingBatches: this.pending.size,
      retries: this.retried,
    };
  }

  private closedError(): EddyError {
    return new EddyError(ErrorCode.StreamClosed, `producer for '${this.topic}' is closed`);
  }

  /** Whether a record of `size` bytes must wait for room (or behind sends already waiting, unless it is their head). */
  private mustWait(size: number, atHead: boolean): boolean {
    if (!atHead && this.waiters.length > 0) return true; // keep send order
    const q = this.acc.queuedBytes;
    return q > 0 && q + size > this.o.maxQueueBytes;
  }

  private waitForRoom(size: number, add: () => ProducerBatch): Promise<{ future: RecordFuture }> {
    return new Promise((resolve, reject) => {
      this.waiters.push({
        seq: ++this.waiterSeq,
        size,
        run: () => {
          try {
            const b = add();
            resolve({ future: new RecordFuture(this.topic, b, b.count - 1) });
          } catch (err) {
            reject(err as Error);
          }
          return true;
        },
      });
      // Waiting sends gain nothing from lingering: send what is queued.
      this.drainNow();
    });
  }

  private wakeWaiters(): void {
    let ran = false;
    while (this.waiters.length > 0) {
      const w = this.waiters[0];
      const q = this.acc.queuedBytes;
      if (q > 0 && q + w.size > this.o.maxQueueBytes) break;
      this.waiters.shift();
      if (w.run()) {
        ran = true;
      } else {
        this.waiters.unshift(w); // a bulk send that filled the queue again: it stays first
        break;
      }
    }
    if (ran && this.waiterRan.length > 0) {
      const list = this.waiterRan;
      this.waiterRan = [];
      for (const r of list) r();
    }
  }

  /** Encodes a record into its partition's open batch; returns the batch (the record is its last). */
  private append(
    key: Uint8Array | null,
    keyLength: number,
    value: string | Uint8Array,
    valueLength: number,
    explicit: number | undefined,
    timestamp: number,
    headers: RecordHeader[] | null,
    headerBytes: number,
  ): ProducerBatch {
    let partition: number;
    if (explicit !== undefined) {
      if (!Number.isInteger(explicit) || explicit < 0 || explicit >= this.partitionCount) {
        throw new EddyError(ErrorCode.UnknownPartition, `partition ${explicit} does not exist in topic '${this.topic}' (partitions 0-${this.partitionCount - 1})`);
      }
      partition = explicit;
    } else {
      partition = this.partitioner(key, this.partitionCount);
    }
    const b = this.acc.append(partition, key, keyLength, value, valueLength, timestamp, headers, headerBytes);
    if (b.count === 1) this.pending.add(b);
    if (!this.drainScheduled) this.scheduleDrain();
    return b;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(this.drainTask);
  }

  private readonly drainTask = (): void => {
    this.drainScheduled = false;
    this.drainNow();
  };

  private drainNow(): void {
    const now = Date.now();
    const eager = this.o.lingerMs === 0 || this.flushing > 0 || this.closing || this.waiters.length > 0;
    while (this.inFlight < this.o.maxInFlight) {
      const batches = this.acc.drain(now, this.o.maxRequestBytes, eager ? Infinity : now - this.o.lingerMs);
      if (batches.length === 0) break;
      this.sendRequest(batches);
    }
    this.armTimer(now);
  }

  /** Wakes the producer when a lingering batch or a retry becomes due (only if a request slot is free). */
  private armTimer(now: number): void {
    if (this.inFlight >= this.o.maxInFlight) return;
    const at = this.acc.nextDeadline(this.o.lingerMs);
    if (at === Infinity || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.drainNow();
    }, Math.max(1, at - now));
  }

  private sendRequest(batches: ProducerBatch[]): void {
    this.inFlight++;
    if (this.local === null) {
      this.dispatch(batches);
      return;
    }
    const transformed = Promise.all(batches.map((b) => (b.encoded === null && b.localError === null ? this.transformLocal(b) : undefined)));
    const go = Promise.all([transformed, this.dispatchTail]).then(() => this.dispatch(batches));
    this.dispatchTail = go.catch(noop);
  }

  /** Runs a batch through the local chain and encodes its output; never rejects (failures go to `localError`). */
  private async transformLocal(b: ProducerBatch): Promise<void> {
    const where = `'${this.topic}' partition ${b.partition}`;
    try {
      let chain = this.chains.get(b.partition);
      if (chain === undefined) {
        chain = this.local!.open(b.partition);
        chain.catch(noop);
        this.chains.set(b.partition, chain);
      }
      const out = await transformProducedSection(await chain, b.builder.section(), b.builder.firstTimestamp);
      if (out.error !== null) {
        const e = out.error;
        const hint = e.hint.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
        throw new EddyError(ErrorCode.SmartModuleRuntime, `SmartModule '${e.moduleName}' (${e.kind}) failed on record ${e.offset} of a batch for ${where}: ${hint}`, { cause: e });
      }
      b.outputIndex = out.outputIndex;
      b.storedCount = out.records.length;
      b.encoded = out.records.length === 0 ? [] : encodeBounded(out.records, { compression: this.compression, timestamp: b.createdMs }, this.maxBatchBytes);
    } catch (err) {
      b.localError = localError(err, where);
    }
  }

  private dispatch(all: ProducerBatch[]): void {
    let batches = all;
    if (this.local !== null) {
      batches = [];
      for (const b of all) {
        if (b.localError !== null) this.settle(b, b.localError);
        else if (b.storedCount === 0) this.settle(b, null, -1); // the chain dropped every record
        else batches.push(b);
      }
      if (batches.length === 0) {
        this.requestDone();
        return;
      }
    }
    const byPartition = new Map<number, ProducerBatch[]>();
    let body;
    try {
      for (const b of batches) {
        b.encoded ??= this.encode(b);
        let list = byPartition.get(b.partition);
        if (list === undefined) byPartition.set(b.partition, (list = []));
        list.push(b);
      }
      body = {
        acks: 1,
        timeoutMs: this.o.timeoutMs,
        topics: [{
          name: this.topic,
          partitions: [...byPartition].map(([partition, list]) => ({ partition, records: list.flatMap((b) => b.encoded!) })),
        }],
        smartmodules: this.smartmodules,
      };
    } catch (err) {
      // Encoding failed (bad record): retrying cannot help.
      for (const b of batches) this.settle(b, err as Error);
      this.requestDone();
      return;
    }
    this.broker.connection()
      .then((conn) => conn.requestWith('Produce', ProduceRequestParts, body, { timeoutMs: this.o.timeoutMs + 5000 }))
      .then(
        (res) => this.onResponse(byPartition, res),
        (err) => { for (const b of batches) this.fail(b, err, true); },
      )
      .catch((err) => { for (const b of batches) if (!b.settled) this.settle(b, err); })
      .finally(() => this.requestDone());
  }

  /** The batch's wire bytes: its own buffers (uncompressed) or one compressed buffer. */
  private encode(b: ProducerBatch): Buffer[] {
    const parts = b.builder.finish({ compression: this.compression });
    if (this.compression === 0 || b.count === 1 || parts[0].length <= this.maxBatchBytes) return parts;
    // Compression made the batch larger than the topic allows (incompressible data): split it.
    const records: RecordInput[] = [];
    visitRecords(b.builder.section(), 0, b.builder.firstTimestamp, (r) => {
      records.push({ key: r.key(), value: r.value(), timestamp: r.timestamp, headers: r.headerCount > 0 ? r.headers() : null });
    });
    return encodeBounded(records, { compression: this.compression, timestamp: b.createdMs }, this.maxBatchBytes);
  }

  private requestDone(): void {
    this.inFlight--;
    this.drainNow();
  }

  private onResponse(byPartition: Map<number, ProducerBatch[]>, res: ProduceResponse): void {
    const answered = new Map<number, ProduceResponse['topics'][number]['partitions'][number]>();
    for (const t of res.topics) if (t.name === this.topic) for (const p of t.partitions) answered.set(p.partition, p);
    for (const [partition, list] of byPartition) {
      const p = answered.get(partition);
      if (p === undefined) {
        const err = new EddyError(ErrorCode.InvalidRequest, `produce response for '${this.topic}' has no entry for partition ${partition}`);
        for (const b of list) this.settle(b, err);
        continue;
      }
      if (p.errorCode !== ErrorCode.None) {
        const err = errorFromCode(p.errorCode, p.errorMessage ?? `${errorCodeName(p.errorCode)} producing to '${this.topic}' partition ${partition}`);
        for (const b of list) this.fail(b, err);
        continue;
      }
      if (p.smartModuleError) {
        const e = p.smartModuleError;
        // The broker runs the chain per batch as sent: the offset is the record's index in it.
        const hint = e.hint.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
        const err = new EddyError(ErrorCode.SmartModuleRuntime, `SmartModule '${e.moduleName}' (${e.kind}) failed on record ${e.offset} of a batch for '${this.topic}' partition ${partition}: ${hint}`);
        for (const b of list) this.settle(b, err);
        continue;
      }
      let base = p.baseOffset;
      for (const b of list) {
        this.settle(b, null, base);
        base += b.storedCount >= 0 ? b.storedCount : b.count;
      }
    }
  }

  /**
   * Retries a batch after a retriable error while attempts remain; otherwise fails it. A batch that
   * ran out of retries fails the batches queued before it too (of its partition, or of every
   * partition when the request itself failed: the broker is unreachable), with the same error.
   */
  private fail(b: ProducerBatch, err: Error, wholeTopic = false): void {
    if (err instanceof EddyError && err.retriable && !this.closed) {
      const gone = this.gaveUp.get(b.partition);
      if (gone !== undefined && b.seq < gone.seq) {
        this.settle(b, gone.err);
        return;
      }
      if (b.attempts < this.o.retries) {
        b.attempts++;
        this.retried++;
        this.onRetry?.(b.attempts, this.o.retries, err);
        b.retryAtMs = Date.now() + backoffDelay(b.attempts - 1, { initialMs: this.o.retryBackoffMs, maxMs: this.o.maxRetryBackoffMs });
        this.acc.requeue(b);
        return;
      }
      this.settle(b, err);
      this.giveUp(wholeTopic ? null : b.partition, err);
      return;
    }
    this.settle(b, err);
  }

  /** Fails every batch made so far of `partition` (null: all partitions) that is not in flight; in-flight ones fail when they come back. */
  private giveUp(partition: number | null, err: Error): void {
    const seq = this.acc.nextSeq;
    const parts = partition === null ? Array.from({ length: this.partitionCount }, (_, i) => i) : [partition];
    for (const p of parts) {
      this.gaveUp.set(p, { seq, err });
      for (const q of this.acc.takeUnsent(p)) this.settle(q, err);
    }
  }

  private settle(b: ProducerBatch, err: Error | null, baseOffset = -1): void {
    if (err === null) b.resolve(baseOffset);
    else b.reject(err);
    this.pending.delete(b);
    this.acc.release(b, err === null);
    this.wakeWaiters();
  }
}

function keyBytes(k: string | Uint8Array | null | undefined): Uint8Array | null {
  if (k == null) return null;
  if (typeof k === 'string') return Buffer.from(k, 'utf8');
  if (k instanceof Uint8Array) return k;
  throw new TypeError(`record key must be a string, Uint8Array or null, got ${typeof k}`);
}

/** Bytes of a value (strings are written as UTF-8 straight into the batch). */
function valueLength(v: string | Uint8Array): number {
  if (v instanceof Uint8Array) return v.length;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  throw new TypeError(`record value must be a string or Uint8Array, got ${v === null ? 'null' : typeof v}`);
}

function checkTimestamp(t: number): number {
  if (!Number.isSafeInteger(t)) throw new RangeError(`record timestamp must be an integer (epoch ms), got ${t}`);
  return t;
}

function toHeaders(h: HeadersInput): RecordHeader[] {
  const entries = Array.isArray(h) ? h as readonly (readonly [string, string | Uint8Array])[] : Object.entries(h);
  return entries.map(([k, v]) => {
    if (typeof k !== 'string') throw new TypeError(`header key must be a string, got ${typeof k}`);
    if (typeof v === 'string') return [k, Buffer.from(v, 'utf8')] as const;
    if (v instanceof Uint8Array) return [k, v] as const;
    throw new TypeError(`header '${k}' value must be a string or Uint8Array, got ${v === null ? 'null' : typeof v}`);
  });
}

function noop(): void {}
