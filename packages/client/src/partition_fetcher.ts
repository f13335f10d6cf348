import { EddyError, ErrorCode, OffsetStart, errorFromCode } from '@eddy/protocol';
import type { SmartModuleInvocation, StreamFetchResponse } from '@eddy/protocol';
import type { SmartChain } from '@eddy/smartengine';
import { SmartModuleFailure } from '@eddy/smartengine/errors';
import type { BrokerClient } from './broker_client.ts';
import type { Connection, StreamHandle } from './connection.ts';
import type { Offset } from './offset.ts';
import { backoffDelay, sleep } from './backoff.ts';
import { FETCH_RECONNECT_BACKOFF } from './defaults.ts';
import { localError, transformFetched, type LocalSmartModules } from './local_smartmodules.ts';

/** One StreamFetch response's worth of work for the merged stream, or a partition's terminal error. */
export interface Chunk {
  fetcher: PartitionFetcher;
  /** The fetcher generation it came from; chunks of an older generation are dropped unread. */
  gen: number;
  /** Whole record batches, views into the received frame (or a local chain's output). */
  records: Buffer;
  /** Bytes the broker sent for this chunk (what flow control counts). */
  wireBytes: number;
  nextOffset: number;
  end: boolean;
  error: Error | null;
}

export interface FetchParams {
  topic: string;
  endOffset: number;
  stopAtEnd: boolean;
  maxBytes: number;
  windowBytes: number;
  smartmodules: SmartModuleInvocation[];
  /** A chain run in this process on every received batch (after the broker's), or null. */
  local: LocalSmartModules | null;
  reconnectTimeoutMs: number;
  /** Verify each received batch's CRC-32C before decoding it. */
  checkCrcs: boolean;
  /**
   * Offsets lost to a damaged segment on the broker: 'error' (default) ends the stream with
   * DataLoss; 'skip' re-opens after the gap and calls `warn` with the broker's message.
   */
  onDataLoss?: 'error' | 'skip';
  warn?: (message: string) => void;
}

/** What a fetcher needs from the stream that merges it with the other partitions. */
export interface ChunkSink {
  push(chunk: Chunk): void;
  readonly signal: AbortSignal;
}

/**
 * One partition's streaming fetch. Tracks `position`, the offset after the last record delivered
 * to the application; when the connection drops (broker restart) it reconnects with backoff and
 * re-opens the stream at `position`, discarding what it had received but not delivered, so the
 * application sees neither a gap nor a duplicate.
 */
export class PartitionFetcher {
  readonly partition: number;
  /** Next offset to deliver; -1 until the broker resolved the start. */
  position: number;
  /** Bumped whenever the stream is re-opened. */
  gen = 0;
  ended = false;
  /** Bytes of consumed chunks not yet acknowledged to the broker. */
  unackedBytes = 0;
  /**
   * A timestamp start resolves to the first batch holding a record at or after it: records of that
   * batch older than the timestamp are skipped until one qualifies (-1 = no skipping).
   */
  skipBeforeTimestamp = -1;
  private readonly start: Offset;
  private readonly params: FetchParams;
  private readonly broker: BrokerClient;
  private readonly sink: ChunkSink;
  private conn: Connection | null = null;
  private handle: StreamHandle | null = null;
  private stopped = false;
  /** Consecutive reconnects without a successful response in between. */
  private failures = 0;
  private failingSince = 0;
  /** The local chain (null until opened, or without one); chunks go through it in order. */
  private chain: SmartChain | null = null;
  private chainTail: Promise<void> = Promise.resolve();
  private localOpened = false;
  /** Where the current generation's stream starts (-1 until the broker resolved it): the local chain cuts the batch holding it there. */
  private openFrom = -1;

  constructor(broker: BrokerClient, sink: ChunkSink, params: FetchParams, partition: number, start: Offset, position: number) {
    this.broker = broker;
    this.sink = sink;
    this.params = params;
    this.partition = partition;
    this.start = start;
    this.position = position;
    if (start.kind === OffsetStart.Timestamp && position < 0) this.skipBeforeTimestamp = start.value;
  }

  /** Opens the stream on `conn` at `position` (or the requested start before anything resolved). */
  open(conn: Connection): void {
    if (this.stopped || this.ended) return;
    if (this.params.local !== null && !this.localOpened) this.openLocalChain(this.params.local);
    const gen = this.gen;
    const resume = this.position >= 0;
    this.conn = conn;
    this.unackedBytes = 0;
    this.openFrom = resume ? this.position : -1;
    try {
      this.handle = this.openOn(conn, gen, resume ? this.position : -1);
    } catch (err) {
      // The connection closed under us: treat it like any other drop.
      this.onError(gen, err as Error);
    }
  }

  /** Opens at offset `from`, or at the requested start when `from` is -1. */
  private openOn(conn: Connection, gen: number, from: number): StreamHandle {
    const p = this.params;
    const resume = from >= 0;
    return conn.openStream('StreamFetch', {
      topic: p.topic,
      partition: this.partition,
      startKind: resume ? OffsetStart.Absolute : this.start.kind,
      startValue: resume ? from : this.start.value,
      endOffset: p.endOffset,
      stopAtEnd: p.stopAtEnd,
      maxBytes: p.maxBytes,
      windowBytes: p.windowBytes,
      smartmodules: p.smartmodules,
    }, {
      onResponse: (res) => this.onResponse(gen, res),
      onError: (err) => this.onError(gen, err),
    });
  }

  /** Tells the broker everything before `position` and `unackedBytes` more were consumed. */
  ack(): void {
    if (this.unackedBytes === 0 || this.handle === null || this.conn === null || this.conn.closed) return;
    try {
      this.conn.send('StreamFetchAck', { streamId: this.handle.id, offset: Math.max(0, this.position), bytes: this.unackedBytes });
      this.unackedBytes = 0;
    } catch {
      // the connection is going away; the re-opened stream starts with a fresh window
    }
  }

  /** Called when the application has consumed all of `chunk`. */
  consumed(chunk: Chunk): void {
    if (chunk.gen !== this.gen) return;
    if (chunk.nextOffset > this.position) this.position = chunk.nextOffset;
    this.unackedBytes += chunk.wireBytes;
    if (chunk.end) this.finish();
  }

  /** Stops the stream (the broker is told, without waiting). */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    const h = this.handle;
    const conn = this.conn;
    this.detach();
    if (h !== null && conn !== null && !conn.closed && !this.ended) {
      conn.request('StreamFetchClose', { streamId: h.id }).catch(noop);
    }
    this.closeLocalChain();
  }

  private finish(): void {
    this.ended = true;
    this.detach();
    this.closeLocalChain();
  }

  private detach(): void {
    this.handle?.detach();
    this.handle = null;
  }

  private onResponse(gen: number, res: StreamFetchResponse): void {
    if (this.stopped || gen !== this.gen) return;
    if (this.position < 0 && res.startOffset >= 0) this.position = res.startOffset;
    if (this.openFrom < 0 && res.startOffset >= 0) this.openFrom = res.startOffset;
    const smErr = res.smartModuleError;
    const failed = res.errorCode !== ErrorCode.None || smErr !== null;
    if (!failed) {
      this.failures = 0;
      if (res.endOfStream) this.detach(); // no more responses will come for this stream
      this.deliver({ fetcher: this, gen, records: res.records, wireBytes: res.records.length, nextOffset: res.nextOffset, end: res.endOfStream, error: null });
      return;
    }
    // Records that came with the error (those before a SmartModule failure) are delivered first.
    if (res.records.length > 0) this.deliver({ fetcher: this, gen, records: res.records, wireBytes: res.records.length, nextOffset: res.nextOffset, end: false, error: null });
    if (res.errorCode === ErrorCode.DataLoss && smErr === null && this.params.onDataLoss === 'skip' && this.skipLoss(gen, res)) return;
    const where = `'${this.params.topic}' partition ${this.partition}`;
    const err = smErr !== null
      ? new SmartModuleFailure(smErr, where)
      : errorFromCode(res.errorCode, res.errorMessage ?? `streaming ${where} failed`);
    if (res.endOfStream) this.detach();
    this.onError(gen, err);
  }

  /**
   * Steps over offsets the broker lost: an empty chunk moves the delivered position past the gap
   * (in order with what came before) and the stream re-opens where data resumes, in this
   * generation, so nothing already received is dropped. False when it cannot (no connection).
   */
  private skipLoss(gen: number, res: StreamFetchResponse): boolean {
    const conn = this.conn;
    const from = res.nextOffset;
    if (conn === null || conn.closed || from < 0 || from <= this.openFrom) return false;
    this.detach();
    this.params.warn?.(`skipping lost offsets: ${res.errorMessage ?? `'${this.params.topic}' partition ${this.partition} resumes at offset ${from}`}`);
    this.deliver({ fetcher: this, gen, records: EMPTY, wireBytes: 0, nextOffset: from, end: false, error: null });
    this.openFrom = from;
    try {
      this.handle = this.openOn(conn, gen, from);
    } catch (err) {
      this.onError(gen, err as Error);
    }
    return true;
  }

  private onError(gen: number, err: Error): void {
    if (this.stopped || gen !== this.gen || this.ended) return;
    if (err instanceof EddyError && err.retriable) {
      this.reconnect(err);
      return;
    }
    this.terminal(err);
  }

  private terminal(err: Error): void {
    this.detach();
    this.deliver({ fetcher: this, gen: this.gen, records: EMPTY, wireBytes: 0, nextOffset: -1, end: true, error: err });
  }

  /** Hands a chunk to the stream, through the local chain when there is one (keeping chunk order). */
  private deliver(chunk: Chunk): void {
    if (this.params.local === null) {
      this.sink.push(chunk);
      return;
    }
    this.chainTail = this.chainTail.then(() => this.runLocal(chunk));
  }

  private openLocalChain(local: LocalSmartModules): void {
    this.localOpened = true;
    this.chainTail = local.open(this.partition).then(
      (chain) => {
        if (this.stopped || this.ended) void chain.close().catch(noop);
        else this.chain = chain;
      },
      (err: Error) => this.failLocal(err),
    );
  }

  private async runLocal(chunk: Chunk): Promise<void> {
    // Dropped: from before a reconnect (re-fetched), or after the stream stopped or failed.
    if (this.stopped || chunk.gen !== this.gen || (this.chain === null && chunk.error === null)) return;
    if (chunk.error !== null || chunk.records.length === 0 || this.chain === null) {
      this.sink.push(chunk);
      return;
    }
    const where = `'${this.params.topic}' partition ${this.partition}`;
    let out;
    try {
      out = await transformFetched(this.chain, chunk.records, this.openFrom);
    } catch (err) {
      this.failLocal(localError(err, where));
      return;
    }
    if (this.stopped || chunk.gen !== this.gen) return;
    if (out.error === null) {
      this.sink.push({ ...chunk, records: out.batches });
      return;
    }
    // Deliver what the chain let through before the rejected record, then fail the stream there.
    this.sink.push({ ...chunk, records: out.batches, nextOffset: out.error.offset, end: false });
    this.failLocal(localError(out.error, where));
  }

  /** The local chain failed: the stream ends with `err`, and the broker stops sending. */
  private failLocal(err: Error): void {
    if (this.stopped || this.ended) return;
    const h = this.handle;
    const conn = this.conn;
    this.ended = true;
    this.detach();
    if (h !== null && conn !== null && !conn.closed) conn.request('StreamFetchClose', { streamId: h.id }).catch(noop);
    this.sink.push({ fetcher: this, gen: this.gen, records: EMPTY, wireBytes: 0, nextOffset: -1, end: true, error: err });
    this.closeLocalChain();
  }

  private closeLocalChain(): void {
    const chain = this.chain;
    this.chain = null;
    // Batches still queued in the chain finish first (close waits for them).
    if (chain !== null) void chain.close().catch(noop);
  }

  /** Drops undelivered data and re-opens at `position` once the broker is reachable again. */
  private reconnect(cause: EddyError): void {
    const gen = ++this.gen;
    this.detach();
    this.conn = null;
    const now = Date.now();
    if (this.failures === 0) this.failingSince = now;
    const left = this.params.reconnectTimeoutMs - (now - this.failingSince);
    if (left <= 0) {
      this.terminal(new EddyError(cause.code, `gave up on '${this.params.topic}' partition ${this.partition} after ${this.params.reconnectTimeoutMs} ms: ${cause.message}`, { cause }));
      return;
    }
    // A broker answering "retry later" (shutting down, not leader) is still connected: back off first.
    const wait = backoffDelay(this.failures++, FETCH_RECONNECT_BACKOFF);
    sleep(Math.min(wait, left), this.sink.signal)
      .then(() => this.broker.connectionWithRetry({ timeoutMs: Math.max(1, left - wait), signal: this.sink.signal }))
      .then(
        (conn) => {
          if (this.stopped || gen !== this.gen) return;
          this.open(conn);
        },
        (err) => {
          if (this.stopped || gen !== this.gen) return;
          const e = err instanceof EddyError ? err : cause;
          this.terminal(new EddyError(e.code, `lost '${this.params.topic}' partition ${this.partition} and could not reconnect: ${e.message}`, { cause: err }));
        },
      );
  }
}

const EMPTY = Buffer.alloc(0);

function noop(): void {}
