import { EddyError, ErrorCode, parseCompression } from '@eddy/protocol';
import type { BrokerClient } from '../broker_client.ts';
import { LocalSmartModules } from '../local_smartmodules.ts';
import { partitionLookBack } from '../look_back_reader.ts';
import { defaultPartitioner, type Partitioner } from '../partitioner.ts';
import { toInvocations } from '../smartmodule_spec.ts';
import { Accumulator, type ProducerBatch } from './accumulator.ts';
import { BatchRetry } from './batch_retry.ts';
import { Dispatcher, type DispatchTarget } from './dispatch.ts';
import { LingerTimer } from './linger_timer.ts';
import { LocalChain } from './local_chain.ts';
import { producerLimits, type ProducerLimits, type ProducerOptions, type ProducerRecord, type ProducerStats, type SendOptions } from './options.ts';
import { OutgoingRecord } from './outgoing_record.ts';
import { RecordFuture, type RecordMetadata } from './record_future.ts';
import { SendQueue, type Waiter } from './send_queue.ts';

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
  private readonly acc: Accumulator;
  private readonly partitioner: Partitioner;
  private readonly o: ProducerLimits;
  private readonly local: LocalChain | null;
  private readonly dispatcher: Dispatcher;
  private readonly queue: SendQueue;
  private readonly retry: BatchRetry;
  private readonly linger: LingerTimer;
  private readonly pending = new Set<ProducerBatch>();
  /** send()'s record, refilled by every call (sendMany has its own per call). */
  private readonly record = new OutgoingRecord();
  private inFlight = 0;
  private flushing = 0;
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
    this.topic = topic;
    this.partitionCount = partitionCount;
    this.maxBatchBytes = maxBatchBytes;
    this.o = producerLimits(opts);
    const compression = parseCompression(opts.compression ?? 'none');
    this.partitioner = opts.partitioner ?? defaultPartitioner();
    const smartmodules = toInvocations(opts.smartmodules);
    const localSpecs = opts.localSmartmodules ?? [];
    this.local = localSpecs.length === 0 ? null : new LocalChain(new LocalSmartModules(localSpecs, {
      ...(opts.smartEngine ? { engine: opts.smartEngine } : {}),
      readLookBack: partitionLookBack(broker, topic),
      topic,
    }), topic, compression, maxBatchBytes);
    // The broker refuses batches over the topic's max record size: never plan bigger ones.
    this.acc = new Accumulator({
      batchSizeBytes: Math.min(this.o.batchSizeBytes, maxBatchBytes),
      maxBatchBytes,
      limitName: `topic '${topic}' max record size`,
      poolSegments: this.o.maxInFlight + 2,
    });
    this.queue = new SendQueue(this.acc, this.o.maxQueueBytes);
    this.linger = new LingerTimer(() => this.drainNow());
    this.retry = new BatchRetry(this.acc, partitionCount, this.o, (b, err) => this.settle(b, err), opts.onRetry ?? null);
    const target: DispatchTarget = {
      settle: (b, err, baseOffset) => this.settle(b, err, baseOffset),
      fail: (b, err, wholeTopic = false) => this.retry.fail(b, err, wholeTopic, this.closed),
      requestDone: () => this.requestDone(),
    };
    this.dispatcher = new Dispatcher({ broker, topic, compression, maxBatchBytes, timeoutMs: this.o.timeoutMs, smartmodules, local: this.local, target });
  }

  /**
   * Queues a record; the promise resolves with its offset once the broker acknowledged its batch.
   * The record is encoded into its batch at once, so a Uint8Array value can be reused as soon as
   * send() returns (unless the send had to wait for room). When more than `maxQueueBytes` are
   * unacknowledged, the record waits for room first.
   */
  send(key: string | Uint8Array | null | undefined, value: string | Uint8Array, opts?: SendOptions): Promise<RecordMetadata> {
    const r = this.record;
    try {
      if (this.closing) throw this.closedError();
      if (opts === undefined) r.read(key, value, undefined, undefined, undefined);
      else r.read(key, value, opts.timestamp, opts.headers, opts.partition);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.queue.mustWait(r.size, false)) {
      try {
        const b = this.append(r);
        return new RecordFuture(this.topic, b, b.count - 1);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.waitForRoom(r.copy()).then((slot) => slot.future);
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
    const rec = new OutgoingRecord();
    let i = 0;
    let waitSize = 0;
    // Appends from record i on while there is room; false when it has to wait (waitSize set).
    const step = (atHead: boolean): boolean => {
      for (; i < records.length; i++) {
        const r = records[i];
        if (r instanceof Uint8Array || typeof r === 'string') rec.readValue(r);
        else if (typeof r === 'object' && r !== null) rec.read(r.key, r.value, r.timestamp, r.headers, r.partition);
        else throw new TypeError(`record ${i} must be a record object, a string or a Uint8Array, got ${r === null ? 'null' : typeof r}`);
        if (this.queue.mustWait(rec.size, atHead)) {
          waitSize = rec.size;
          return false;
        }
        atHead = true; // once one record went in, the rest follow it without queueing behind others
        const b = this.append(rec);
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
        seq: this.queue.nextSeq(),
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
      this.queue.push(w);
      this.drainNow();
    });
  }

  /** Queues many records (waiting for room as needed) and resolves with their metadata, in order. */
  async sendBatch(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    const futures = new Array<RecordFuture | Promise<{ future: RecordFuture }>>(records.length);
    const rec = this.record;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (this.closing) throw this.closedError();
      rec.read(r.key, r.value, r.timestamp, r.headers, r.partition);
      if (this.queue.mustWait(rec.size, false)) {
        futures[i] = this.waitForRoom(rec.copy());
      } else {
        const b = this.append(rec);
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
      const last = this.queue.lastSeq;
      while (this.queue.waitingUpTo(last)) {
        await this.queue.ran();
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
      this.linger.clear();
      await this.local?.close();
    }
  }

  stats(): ProducerStats {
    return {
      queuedBytes: this.acc.queuedBytes,
      waitingSends: this.queue.length,
      inFlightRequests: this.inFlight,
      pendingBatches: this.pending.size,
      retries: this.retry.retried,
    };
  }

  private closedError(): EddyError {
    return new EddyError(ErrorCode.StreamClosed, `producer for '${this.topic}' is closed`);
  }

  /** Queues a record that must wait for room; it is appended once there is. */
  private waitForRoom(r: OutgoingRecord): Promise<{ future: RecordFuture }> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        seq: this.queue.nextSeq(),
        size: r.size,
        run: () => {
          try {
            const b = this.append(r);
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

  /** Encodes a record into its partition's open batch; returns the batch (the record is its last). */
  private append(r: OutgoingRecord): ProducerBatch {
    const explicit = r.partition;
    let partition: number;
    if (explicit !== undefined) {
      if (!Number.isInteger(explicit) || explicit < 0 || explicit >= this.partitionCount) {
        throw new EddyError(ErrorCode.UnknownPartition, `partition ${explicit} does not exist in topic '${this.topic}' (partitions 0-${this.partitionCount - 1})`);
      }
      partition = explicit;
    } else {
      partition = this.partitioner(r.key, this.partitionCount);
    }
    const b = this.acc.append(partition, r.key, r.keyLength, r.value, r.valueLength, r.timestamp, r.headers, r.headerBytes);
    if (b.count === 1) this.pending.add(b);
    this.linger.soon();
    return b;
  }

  /** Sends ready batches while request slots are free, then sets the timer for the next due batch. */
  private drainNow(): void {
    const now = Date.now();
    const eager = this.o.lingerMs === 0 || this.flushing > 0 || this.closing || this.queue.length > 0;
    while (this.inFlight < this.o.maxInFlight) {
      const batches = this.acc.drain(now, this.o.maxRequestBytes, eager ? Infinity : now - this.o.lingerMs);
      if (batches.length === 0) break;
      this.inFlight++;
      this.dispatcher.send(batches);
    }
    // Wakes the producer when a lingering batch or a retry becomes due (only if a request slot is free).
    if (this.inFlight < this.o.maxInFlight) this.linger.at(this.acc.nextDeadline(this.o.lingerMs), now);
  }

  private requestDone(): void {
    this.inFlight--;
    this.drainNow();
  }

  private settle(b: ProducerBatch, err: Error | null, baseOffset = -1): void {
    if (err === null) b.resolve(baseOffset);
    else b.reject(err);
    this.pending.delete(b);
    this.acc.release(b, err === null);
    this.queue.wake();
  }
}

function noop(): void {}
