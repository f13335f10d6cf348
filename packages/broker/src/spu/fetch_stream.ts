import { EddyError, ErrorCode, OffsetStart, batchBaseOffset, offsetOutOfRangeMessage } from '@eddy/protocol';
import type { SmartModuleErrorInfo, StreamFetchRequest, StreamFetchResponse } from '@eddy/protocol';
import { smartModuleMessage } from '@eddy/smartengine/errors';
import { StorageOffsetOutOfRangeError } from '../storage/index.ts';
import type { ReadResult } from '../storage/index.ts';
import type { PartitionAttachment, PartitionLeader } from './partition_leader.ts';
import { countRecords, cutAfterOffset } from './batch_scan.ts';
import { DEFAULT_FETCH_MAX_BYTES } from '../defaults.ts';

/** Where a stream's responses go: the connection that opened it. */
export interface StreamSink {
  /**
   * Queues one response; false means the transport is full: call `waitDrain` before more.
   * `written`, when given, is called once the response's bytes have left (or will never leave):
   * until then its record bytes must stay untouched.
   */
  send(response: StreamFetchResponse, written?: () => void): boolean;
  waitDrain(): Promise<void>;
}

export interface TransformResult {
  /** Whole batches to send (may be empty when everything was filtered out). */
  batches: Buffer;
  /** The first offset not yet consumed by the transform; defaults to the input's next offset. */
  nextOffset?: number;
  /** A SmartModule error: the stream sends it and ends. */
  error?: SmartModuleErrorInfo | null;
  /** Called once the response carrying `batches` is written (their memory may then be reused). */
  release?: () => void;
}

/**
 * Per-stream transform of stored batches before they are sent (a SmartModule chain). Called with
 * whole batches read from the log, the offset after them and the offset read from (the first
 * batch begins before it when the stream starts inside a batch: its earlier records are not the
 * stream's); called in order, one at a time.
 * `close`, when present, is called once the stream has ended (to free the chain).
 */
export type BatchTransform = ((batches: Buffer, nextOffset: number, from: number) => Promise<TransformResult>) & {
  close?: () => void | Promise<void>;
  /** When present, the stream reads through it instead of the log (e.g. from what it read ahead). */
  read?: (position: number, maxBytes: number) => Promise<ReadResult>;
};

export interface FetchStreamOptions {
  transform?: BatchTransform;
  /** Called for every response carrying records (metrics). */
  onSent?: (bytes: number, records: number) => void;
  /** Called once when the stream has ended for any reason. */
  onEnd?: () => void;
}

export { DEFAULT_FETCH_MAX_BYTES };

/**
 * One consumer's streaming fetch of one partition. A single pump loop reads whole batches from
 * the log and pushes them, and goes idle when caught up, when `windowBytes` of records are
 * unacknowledged, or when the socket is full; appends, acks and 'drain' wake it up.
 */
export class FetchStream implements PartitionAttachment {
  readonly id: number;
  private leader: PartitionLeader;
  private sink: StreamSink;
  private req: StreamFetchRequest;
  private opts: FetchStreamOptions;
  private maxBytes: number;
  private window: number;
  /** Next offset to read. */
  private position = 0;
  private startOffset = -1;
  /** stopAtEnd: the high watermark when the stream started. */
  private stopOffset = Infinity;
  private inflight = 0;
  private sentFirst = false;
  /** Offset the client last learned from us (to report progress a filter made silently). */
  private reportedNext = -1;
  private pumping = false;
  private again = false;
  private blocked = false;
  private ended = false;
  private unsubscribe: (() => void) | null = null;

  constructor(id: number, leader: PartitionLeader, req: StreamFetchRequest, sink: StreamSink, opts: FetchStreamOptions = {}) {
    this.id = id;
    this.leader = leader;
    this.req = req;
    this.sink = sink;
    this.opts = opts;
    this.maxBytes = req.maxBytes > 0 ? req.maxBytes : DEFAULT_FETCH_MAX_BYTES;
    this.window = req.windowBytes > 0 ? req.windowBytes : 0;
  }

  get isEnded(): boolean { return this.ended; }

  /** Resolves the start position and begins pushing. Errors end the stream with an error response. */
  async start(): Promise<void> {
    const log = this.leader.log;
    try {
      this.position = await this.resolveStart();
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.ended) return;
    this.startOffset = this.position;
    this.reportedNext = this.position;
    if (this.req.stopAtEnd) this.stopOffset = log.highWatermark;
    this.leader.attach(this);
    this.unsubscribe = log.onAppend(() => this.kick());
    this.kick();
  }

  /** The client processed `bytes` more bytes of records (and everything before `offset`). */
  ack(_offset: number, bytes: number): void {
    if (this.ended) return;
    this.inflight = Math.max(0, this.inflight - Math.max(0, bytes));
    this.kick();
  }

  /** Ends the stream on request: a last empty response with endOfStream. */
  close(): void {
    if (this.ended) return;
    this.finish({ errorCode: ErrorCode.None, errorMessage: null, records: EMPTY, end: true });
  }

  /** Ends the stream with an error response (partition removed, broker shutting down). */
  abort(error: EddyError): void {
    if (this.ended) return;
    this.finish({ errorCode: error.code, errorMessage: error.message, records: EMPTY, end: true });
  }

  /** Ends silently: the connection is gone. */
  detach(): void {
    if (this.ended) return;
    this.ended = true;
    this.cleanup();
  }

  private async resolveStart(): Promise<number> {
    const log = this.leader.log;
    const hw = log.highWatermark;
    const start = log.logStartOffset;
    const v = this.req.startValue;
    switch (this.req.startKind) {
      case OffsetStart.Absolute:
        if (!Number.isSafeInteger(v) || v < start || v > hw) {
          throw new EddyError(ErrorCode.OffsetOutOfRange, offsetOutOfRangeMessage(v, start, hw, this.where()));
        }
        return v;
      case OffsetStart.Beginning:
        return start;
      case OffsetStart.End:
        return hw;
      case OffsetStart.FromEnd:
        if (v < 0) throw new EddyError(ErrorCode.InvalidRequest, `start from end needs a count >= 0, got ${v}`);
        return Math.max(start, hw - v);
      case OffsetStart.Timestamp: {
        const found = await log.offsetForTimestamp(v);
        return found === null || found === undefined || found < 0 ? log.highWatermark : Math.max(found, log.logStartOffset);
      }
      default:
        throw new EddyError(ErrorCode.InvalidRequest, `unknown start kind ${this.req.startKind}`);
    }
  }

  private kick(): void {
    if (this.ended) return;
    if (this.pumping) { this.again = true; return; }
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.ended);
    } catch (err) {
      this.fail(err);
    } finally {
      this.pumping = false;
    }
  }

  /** Sends as much as the window, the socket and the log allow. */
  private async step(): Promise<void> {
    const log = this.leader.log;
    const end = this.req.endOffset;
    while (!this.ended) {
      if (this.blocked) return;
      if (this.window > 0 && this.inflight >= this.window) return;
      if (end >= 0 && this.position > end) { this.finishAtEnd(); return; }
      const limit = Math.min(log.highWatermark, this.stopOffset);
      if (this.position >= limit) {
        if (this.position >= this.stopOffset) { this.finishAtEnd(); return; }
        // Caught up: make sure the client knows where we are, then wait for appends.
        if (!this.sentFirst || this.reportedNext < this.position) this.push(EMPTY, null, false);
        return;
      }
      const want = this.window > 0 ? Math.min(this.maxBytes, this.window - this.inflight) : this.maxBytes;
      const transform = this.opts.transform;
      const read = transform?.read ? await transform.read(this.position, want) : await log.read(this.position, want);
      // The read's bytes may live in the tail cache: give them back once the response carrying
      // them is written, or now if none will carry them.
      let release: (() => void) | null = read.release;
      try {
        const { data, nextOffset } = read;
        if (this.ended) return;
        if (data.length === 0 || nextOffset <= this.position) {
          // Nothing readable yet at this offset (should not happen below the watermark): wait.
          return;
        }
        const resumeAt = batchBaseOffset(data, 0);
        if (!transform?.read && resumeAt > this.position) {
          // A read never starts past its offset unless the offsets in between are gone (a gap
          // recovery left where a damaged segment was cut): tell the consumer, which may re-open
          // at nextOffset to skip the loss.
          const message = `${this.where()}: offsets ${this.position} to ${resumeAt - 1} were lost to a damaged segment; data resumes at offset ${resumeAt}`;
          this.position = resumeAt;
          this.finish({ errorCode: ErrorCode.DataLoss, errorMessage: message, records: EMPTY, end: true });
          return;
        }
        let batches = data;
        let next = nextOffset;
        if (end >= 0 && next > end + 1) {
          const cut = cutAfterOffset(data, end);
          batches = data.subarray(0, cut.length);
          next = cut.nextOffset;
        }
        let smError: SmartModuleErrorInfo | null = null;
        if (transform) {
          const out = await transform(batches, next, this.position);
          const outRelease = out.release;
          if (outRelease) {
            // The output may be views of the input: both go back once the response is written.
            const readRelease = release;
            release = () => { readRelease(); outRelease(); };
          }
          if (this.ended) return;
          batches = out.batches;
          next = Math.max(next, out.nextOffset ?? next);
          smError = out.error ?? null;
        }
        this.position = next;
        const done = (end >= 0 && next > end) || next >= this.stopOffset;
        if (smError) {
          this.finish({ errorCode: ErrorCode.SmartModuleRuntime, errorMessage: smartModuleMessage(smError), records: batches, end: true, smError }, release);
          release = null;
          return;
        }
        if (done) {
          this.finish({ errorCode: ErrorCode.None, errorMessage: null, records: batches, end: true }, release);
          release = null;
          return;
        }
        if (batches.length > 0 || !this.sentFirst) {
          this.push(batches, null, false, ErrorCode.None, null, release);
          release = null;
        }
      } finally {
        release?.();
      }
    }
  }

  private finishAtEnd(): void {
    this.finish({ errorCode: ErrorCode.None, errorMessage: null, records: EMPTY, end: true });
  }

  /** Sends one response; tracks the window and socket backpressure. */
  private push(
    records: Buffer, smError: SmartModuleErrorInfo | null, end: boolean,
    errorCode: number = ErrorCode.None, errorMessage: string | null = null, written?: () => void,
  ): void {
    const log = this.leader.log;
    const resp: StreamFetchResponse = {
      errorCode,
      errorMessage,
      partition: this.leader.partition,
      startOffset: this.sentFirst ? -1 : this.startOffset,
      highWatermark: log.highWatermark,
      logStartOffset: log.logStartOffset,
      nextOffset: this.position,
      endOfStream: end,
      smartModuleError: smError,
      records,
    };
    this.sentFirst = true;
    this.reportedNext = this.position;
    if (records.length > 0) {
      this.inflight += records.length;
      this.opts.onSent?.(records.length, countRecords(records));
    }
    if (!this.sink.send(resp, written) && !end) {
      this.blocked = true;
      void this.sink.waitDrain().then(() => { this.blocked = false; this.kick(); });
    }
  }

  private finish(r: { errorCode: number; errorMessage: string | null; records: Buffer; end: true; smError?: SmartModuleErrorInfo }, written?: () => void): void {
    if (this.ended) { written?.(); return; }
    this.push(r.records, r.smError ?? null, true, r.errorCode, r.errorMessage, written);
    this.ended = true;
    this.cleanup();
  }

  /** How errors name this stream's log. */
  private where(): string {
    return `partition ${this.leader.topic}/${this.leader.partition}`;
  }

  /** Any failure ends the stream with an error response naming it. */
  private fail(err: unknown): void {
    if (this.ended) return;
    let code: number = ErrorCode.StorageError;
    let message = err instanceof Error ? err.message : String(err);
    if (err instanceof EddyError) code = err.code;
    else if (err instanceof StorageOffsetOutOfRangeError) {
      code = ErrorCode.OffsetOutOfRange;
      message = offsetOutOfRangeMessage(err.offset, err.logStartOffset, err.highWatermark, this.where());
    }
    this.finish({ errorCode: code, errorMessage: message, records: EMPTY, end: true });
  }

  private cleanup(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.leader.detach(this);
    this.opts.onEnd?.();
  }
}

const EMPTY = Buffer.alloc(0);
