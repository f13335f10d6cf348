import { EddyError, ErrorCode, CorruptBatchError, batchBaseOffset, checkBatch } from '@eddy/protocol';
import { batchLastOffsetDelta, batchTotalSize } from '@eddy/protocol/internal';
import { ChunkCursor, ConsumerBatch, type ConsumerRecord } from './consumer_batch.ts';
import type { BrokerClient } from './broker_client.ts';
import type { Offset } from './offset.ts';
import { PartitionFetcher, type Chunk, type ChunkSink, type FetchParams } from './partition_fetcher.ts';

/** Where each partition starts: `position` >= 0 resumes at that offset (a committed one), else `start` applies. */
export interface PartitionStart {
  partition: number;
  start: Offset;
  position: number;
}

export interface RecordStreamSetup {
  broker: BrokerClient;
  params: FetchParams;
  /** Resolved when iteration begins (it may ask the broker for partitions and committed offsets). */
  resolveStarts(): Promise<PartitionStart[]>;
  signal?: AbortSignal;
  /** Runs once when the stream stops for any reason (the named consumer commits here). */
  onStop?(stream: RecordStream): Promise<void>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
const WAIT = Symbol('wait');
const END = Symbol('end');

/**
 * `for await (const r of consumer.stream(offset))`: the records of one or more partitions, merged
 * in arrival order (ordered per partition). Batches are decoded lazily, one at a time, and
 * acknowledged to the broker (flow control) as the application consumes them. Stops on break,
 * abort, end of every partition, or an error (thrown from the loop).
 */
export class RecordStream implements AsyncIterableIterator<ConsumerRecord>, ChunkSink {
  readonly topic: string;
  private readonly setup: RecordStreamSetup;
  private readonly ctrl = new AbortController();
  private fetchers: PartitionFetcher[] = [];
  private queue: Chunk[] = [];
  private head = 0;
  /** The chunk being delivered and the cursor over its records. */
  private chunk: Chunk | null = null;
  private cursor: ChunkCursor | null = null;
  /** A corrupt record batch in the chunk: thrown once the records before it were delivered. */
  private chunkError: Error | null = null;
  private waiter: { batch: boolean; resolve(r: IteratorResult<any>): void; reject(e: unknown): void } | null = null;
  private state: 'new' | 'starting' | 'running' | 'done' = 'new';
  private stopping: Promise<void> | null = null;
  private readonly ackThreshold: number;
  /** Batches come out of a SmartModule chain (broker-side or local). */
  private readonly transformed: boolean;
  private readonly checkCrcs: boolean;
  private readonly onAbort = () => { void this.stop().then(() => this.settleWaiter(DONE)); };

  constructor(setup: RecordStreamSetup) {
    this.setup = setup;
    this.topic = setup.params.topic;
    this.ackThreshold = Math.max(1, setup.params.windowBytes >>> 2);
    this.transformed = setup.params.smartmodules.length > 0 || setup.params.local !== null;
    this.checkCrcs = setup.params.checkCrcs;
    if (setup.signal?.aborted) this.state = 'done';
    else setup.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Aborted when the stream stops (ends reconnect waits). */
  get signal(): AbortSignal { return this.ctrl.signal; }

  [Symbol.asyncIterator](): this { return this; }

  /** Next offset to deliver per partition (the offset after the last delivered record). */
  positions(): Map<number, number> {
    const m = new Map<number, number>();
    for (const f of this.fetchers) if (f.position >= 0) m.set(f.partition, f.position);
    return m;
  }

  next(): Promise<IteratorResult<ConsumerRecord>> {
    return this.take(false);
  }

  /**
   * The same stream a batch at a time: `for await (const { partition, records } of stream.batches())`.
   * One promise per batch instead of one per record; positions (and commits) move past a batch
   * when it is handed out. Use either this or the record iterator on a stream, not both at once.
   */
  batches(): AsyncIterableIterator<ConsumerBatch> {
    const it: AsyncIterableIterator<ConsumerBatch> = {
      next: () => this.take(true),
      return: () => this.return() as Promise<IteratorResult<never>>,
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  /** Stops the stream (break out of for-await ends up here). */
  async return(): Promise<IteratorResult<ConsumerRecord>> {
    await this.stop();
    this.settleWaiter(DONE);
    return DONE;
  }

  /** Chunk delivery from the partition fetchers. */
  push(chunk: Chunk): void {
    if (this.state === 'done') return;
    this.queue.push(chunk);
    const w = this.waiter;
    if (w === null) return;
    let r;
    try {
      r = this.pull(w.batch);
    } catch (err) {
      this.waiter = null;
      this.fail(err).then(w.resolve, w.reject);
      return;
    }
    if (r === WAIT) return;
    if (r === END) { void this.stop().then(() => this.settleWaiter(DONE)); return; }
    this.waiter = null;
    w.resolve({ value: r, done: false });
  }

  private take(batch: boolean): Promise<IteratorResult<any>> {
    if (this.state === 'running') {
      if (this.waiter !== null) return Promise.reject(new TypeError('next() called while a previous next() is still pending'));
      let r;
      try {
        r = this.pull(batch);
      } catch (err) {
        return this.fail(err);
      }
      if (r === END) return this.stop().then(() => DONE);
      if (r !== WAIT) return Promise.resolve({ value: r, done: false });
      return new Promise((resolve, reject) => { this.waiter = { batch, resolve, reject }; });
    }
    if (this.state === 'done') return Promise.resolve(DONE);
    if (this.state === 'starting') return Promise.reject(new TypeError('next() called while a previous next() is still pending'));
    return this.begin().then(() => this.take(batch), (err) => this.fail(err));
  }

  private async begin(): Promise<void> {
    this.state = 'starting';
    const starts = await this.setup.resolveStarts();
    const conn = await this.setup.broker.connection();
    if (this.state !== 'starting') return; // stopped meanwhile
    this.fetchers = starts.map((s) => new PartitionFetcher(this.setup.broker, this, this.setup.params, s.partition, s.start, s.position));
    this.state = 'running';
    for (const f of this.fetchers) f.open(conn);
  }

  /**
   * The next record (or the rest of the current chunk's records as a batch), WAIT when nothing is
   * buffered, END when every partition ended. Throws a partition's error.
   */
  private pull(batch: boolean): ConsumerRecord | ConsumerBatch | typeof WAIT | typeof END {
    for (;;) {
      const c = this.chunk;
      if (c !== null) {
        const f = c.fetcher;
        const cur = this.cursor!;
        if (c.gen === f.gen) {
          const r = cur.next();
          if (r !== null) {
            if (!batch) {
              f.position = r.offset + 1;
              return r;
            }
            const b = new ConsumerBatch(this.topic, f.partition, cur.data, cur.batchStart, cur.end, r.offset, cur.last);
            cur.exhaust();
            f.position = b.lastOffset + 1;
            return b;
          }
          if (this.chunkError !== null) throw this.chunkError;
          f.consumed(c);
          if (f.unackedBytes >= this.ackThreshold) f.ack();
        }
        this.chunk = null;
        this.cursor = null;
      }
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
        // Caught up. No ack here: consumed() acks once a quarter window is unacknowledged, so the
        // broker (which sends while less than a window is unacknowledged) is never left waiting,
        // and a stream that keeps up with a slow producer does not ack every response.
        let active = false;
        for (const f of this.fetchers) if (!f.ended) active = true;
        return active ? WAIT : END;
      }
      const next = this.queue[this.head];
      this.queue[this.head++] = undefined as never;
      if (next.gen !== next.fetcher.gen) continue; // from before a reconnect: re-fetched from position
      if (next.error !== null) throw next.error;
      this.chunk = next;
      this.cursor = this.open(next);
    }
  }

  /**
   * Checks every record batch of a chunk (framing, and CRC unless turned off) and returns a cursor
   * over its records from the fetcher's position on. A corrupt batch ends the cursor before it and
   * leaves its error in `chunkError`, thrown once the records before it were delivered.
   */
  private open(c: Chunk): ChunkCursor {
    const buf = c.records;
    const f = c.fetcher;
    let pos = 0;
    try {
      while (pos < buf.length) pos += this.transformed ? checkTransformedBatch(buf, pos, this.checkCrcs) : checkBatch(buf, pos, undefined, this.checkCrcs);
    } catch (err) {
      this.chunkError = err instanceof CorruptBatchError
        ? new EddyError(ErrorCode.CorruptMessage, `corrupt batch from '${this.topic}' partition ${f.partition}: ${err.message}`, { cause: err })
        : err as Error;
    }
    let from = f.position;
    const last = this.setup.params.endOffset;
    if (f.skipBeforeTimestamp >= 0) {
      // A timestamp start: deliver from the first record at or after the timestamp.
      const scan = new ChunkCursor(this.topic, f.partition, buf, 0, pos, from, last);
      for (let r = scan.next(); r !== null; r = scan.next()) {
        if (r.timestamp >= f.skipBeforeTimestamp) {
          from = r.offset;
          f.skipBeforeTimestamp = -1;
          break;
        }
      }
      if (f.skipBeforeTimestamp >= 0) from = Infinity; // none here: skip the chunk
    }
    return new ChunkCursor(this.topic, f.partition, buf, 0, pos, from, last);
  }

  private async fail(err: unknown): Promise<never> {
    await this.stop();
    throw err;
  }

  private settleWaiter(r: IteratorResult<ConsumerRecord>): void {
    const w = this.waiter;
    this.waiter = null;
    w?.resolve(r);
  }

  /** Closes every partition stream once; runs onStop (commit) and waits for it. */
  private stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const wasRunning = this.state === 'running';
    this.state = 'done';
    this.setup.signal?.removeEventListener('abort', this.onAbort);
    this.ctrl.abort();
    for (const f of this.fetchers) f.close();
    this.queue = [];
    this.head = 0;
    this.chunk = null;
    this.cursor = null;
    const onStop = wasRunning ? this.setup.onStop : undefined;
    this.stopping = onStop ? onStop(this).catch(() => {}) : Promise.resolve();
    return this.stopping;
  }
}

/**
 * checkBatch for SmartModule output: an array_map may emit more records than the offsets its
 * input batch spanned (several records share an input's offset), so a record count above
 * last_offset_delta + 1 is accepted; the records themselves are still checked when visited.
 */
function checkTransformedBatch(buf: Buffer, pos: number, crc: boolean): number {
  try {
    return checkBatch(buf, pos, undefined, crc);
  } catch (err) {
    if (err instanceof CorruptBatchError && err.kind === 'count' && batchLastOffsetDelta(buf, pos) >= -1) return batchTotalSize(buf, pos);
    throw err;
  }
}
