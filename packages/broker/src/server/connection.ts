import type { Socket } from 'node:net';
import {
  DEFAULT_SCRATCH_BYTES, EddyError, ErrorCode, FrameDecoder, FrameOrigin, FrameReader, FrameTooLargeError, StatusResponse,
  apiByKey, encodeResponse, errorCodeName, readRequestHeader,
} from '@eddy/protocol';
import type { ApiSpec } from '@eddy/protocol';
import type { Schema } from '@eddy/protocol/internal';
import {
  CLOSE_GRACE_MS, CONNECTION_SHUTDOWN_MS, INFLIGHT_RESUME_RATIO, MAX_LOGGED_ERROR_CHARS, MIN_INFLIGHT_BYTES,
} from '../defaults.ts';
import type { ConnectionContext } from './connection_context.ts';
import type { ConnectionIo } from './connection_io.ts';
import { Dispatcher } from './dispatch.ts';
import { clip, errorBody } from './error_response.ts';
import { MetadataWatches } from './metadata_watches.ts';
import { StreamFetches } from './stream_fetches.ts';
import { readIntoUserBuffers } from './user_buffer_read.ts';

/**
 * One client connection: splits the socket's input into frames (see user_buffer_read.ts), hands
 * them to its Dispatcher, which runs requests concurrently (pipelined; responses go out as they
 * complete, matched by correlation id), pauses reading while too many request bytes are in flight,
 * and writes responses corked so a burst of them leaves in one syscall. Its streams
 * (StreamFetches) and metadata watches (MetadataWatches) end with it.
 * Malformed input gets an error response when a correlation id can be read, one log line, and the
 * connection is closed; nothing a client sends can throw out of this class. So does a frame that
 * never completes: cut short by the end of the client's input, or still incomplete
 * `frameTimeoutMs` after its first byte (the server calls checkFrameTimeout periodically).
 */
export class Connection implements ConnectionIo {
  readonly id: number;
  readonly socket: Socket;
  readonly remote: string;
  private ctx: ConnectionContext;
  private readonly dispatcher: Dispatcher;
  private readonly streams: StreamFetches;
  private readonly watches: MetadataWatches;
  /** Frames read straight from the socket into our buffers (see user_buffer_read.ts)... */
  private reader: FrameReader | null = null;
  /** The reader's scratch, from the frame pool: goes back when the socket has closed (no read can land in it). */
  private scratch: Buffer | null = null;
  /** ...or, where Node does not allow that, split out of 'data' chunks. */
  private decoder: FrameDecoder | null = null;
  private inflight = 0;
  /** Bytes of request frames being handled; reading pauses at `inflightLimit`, resumes below `inflightResume`. */
  private inflightBytes = 0;
  private inflightLimit: number;
  private inflightResume: number;
  private readPaused = false;
  /** performance.now() when the first byte of the incomplete frame at hand arrived; 0 when none. */
  private partialSince = 0;
  /** Frames received so far (tells a read that completed frames from one that only continued one). */
  private framesIn = 0;
  private idleWaiters: (() => void)[] = [];
  private isClosing = false;
  private closed = false;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
  /** Destroys a socket closed for bad input that the peer has not closed within the grace period; cleared on close. */
  private graceTimer: NodeJS.Timeout | null = null;
  private needDrain = false;
  private drainWaiters: (() => void)[] = [];
  private onClosed: (c: Connection) => void;
  private closedPromise: Promise<void>;

  constructor(id: number, socket: Socket, ctx: ConnectionContext, onClosed: (c: Connection) => void) {
    this.id = id;
    this.socket = socket;
    this.ctx = ctx;
    this.onClosed = onClosed;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.inflightLimit = Math.max(MIN_INFLIGHT_BYTES, ctx.maxFrameBytes);
    this.inflightResume = this.inflightLimit * INFLIGHT_RESUME_RATIO;
    this.streams = new StreamFetches(this, ctx);
    this.watches = new MetadataWatches(this, ctx);
    this.dispatcher = new Dispatcher(this, ctx, this.streams, this.watches);
    socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => { this.cleanup(); resolve(); }));
    // Pooled scratch: under connection churn each connection reuses a buffer rather than
    // allocating 64 KiB of its own (fresh ones fragment malloc's heap: RSS that never comes back).
    const scratch = ctx.framePool.take(DEFAULT_SCRATCH_BYTES);
    const reader = new FrameReader({ maxFrameBytes: ctx.maxFrameBytes, allocate: (n) => ctx.framePool.take(n), scratch });
    if (readIntoUserBuffers(socket, () => reader.readBuffer(), (n) => this.onRead(n))) {
      this.reader = reader;
      this.scratch = scratch;
    } else {
      ctx.framePool.give(scratch);
      this.decoder = new FrameDecoder(ctx.maxFrameBytes);
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
    }
    // The server accepts sockets paused so that the reading mode is set before the first byte.
    socket.resume();
    socket.on('drain', () => this.drained());
    // The server allows half-open sockets so that a frame cut short by the client's FIN can
    // still be answered; otherwise its FIN ends our side as well, as it always did.
    socket.on('end', () => this.inputEnded());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Resets and broken pipes are how clients leave; nothing to act on beyond closing.
      ctx.logger.debug({ conn: this.id, remote: this.remote, err: err.code ?? err.message }, 'connection error');
    });
    ctx.metrics.connectionOpened();
  }

  // ---- input ----------------------------------------------------------------------------------

  private readonly frameFromReader = (body: Buffer, origin: FrameOrigin): void => {
    this.onFrame(body, origin === FrameOrigin.allocated);
  };

  private onRead(n: number): void {
    if (this.isClosing) return;
    const reader = this.reader!;
    const framesBefore = this.framesIn;
    try {
      reader.bytesRead(n, this.frameFromReader);
      this.trackPartial(reader.pending, framesBefore);
    } catch (err) {
      if (this.isClosing) return;
      // A bad size prefix: the bytes after it may hold the request header.
      const after = reader.afterBadPrefix;
      const corr = after !== null && after.length >= 8 ? after.readInt32BE(4) : null;
      const key = after !== null && after.length >= 2 ? after.readUInt16BE(0) : -1;
      this.badPrefix(err, corr, key);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.isClosing) return;
    const decoder = this.decoder!;
    const pendingBefore = decoder.pending;
    let consumed = 0;
    const framesBefore = this.framesIn;
    try {
      decoder.push(chunk, (body) => {
        consumed += 4 + body.length;
        this.onFrame(body, false);
      });
      this.trackPartial(decoder.pending, framesBefore);
    } catch (err) {
      if (this.isClosing) return;
      // A bad size prefix: the bytes after it may still hold the request header.
      const at = consumed - pendingBefore;
      const corr = at >= 0 && chunk.length >= at + 12 ? chunk.readInt32BE(at + 8) : null;
      const key = at >= 0 && chunk.length >= at + 6 ? chunk.readUInt16BE(at + 4) : -1;
      this.badPrefix(err, corr, key);
    }
  }

  /** After a read: starts the clock of a frame that began in it, stops it when nothing is pending. */
  private trackPartial(pending: number, framesBefore: number): void {
    if (pending === 0) this.partialSince = 0;
    else if (this.partialSince === 0 || this.framesIn !== framesBefore) this.partialSince = performance.now();
  }

  /** The server's periodic check: a frame incomplete for longer than frameTimeoutMs closes the connection. */
  checkFrameTimeout(now: number): void {
    if (this.partialSince === 0 || this.isClosing || this.readPaused) return;
    const limit = this.ctx.frameTimeoutMs;
    if (limit > 0 && now - this.partialSince >= limit) this.incompleteFrame(`incomplete frame: ${this.partialDescription()} arrived within ${limit} ms`);
  }

  /** The client ended its side: answer a frame it cut short, else end ours. */
  private inputEnded(): void {
    if (this.isClosing) return;
    if ((this.reader?.pending ?? this.decoder?.pending ?? 0) > 0) {
      this.incompleteFrame(`truncated frame: the connection ended after ${this.partialDescription()}`);
    } else {
      this.socket.end();
    }
  }

  private partialDescription(): string {
    const partial = this.reader?.partialFrame() ?? this.decoder?.partialFrame() ?? null;
    if (partial !== null) return `${partial.body.length} of ${partial.declared} bytes`;
    return `${this.reader?.pending ?? this.decoder?.pending ?? 0} of the 4 size-prefix bytes`;
  }

  /** A frame that will not complete: an error response if its request header is at hand, then close. */
  private incompleteFrame(message: string): void {
    const partial = this.reader?.partialFrame() ?? this.decoder?.partialFrame() ?? null;
    let corr: number | null = null;
    let spec: ApiSpec<any, any> | undefined;
    if (partial !== null) {
      try {
        const { header } = readRequestHeader(partial.body);
        corr = header.correlationId;
        spec = apiByKey(header.apiKey);
      } catch {
        // The header itself is incomplete: nobody to address a reply to.
      }
    }
    this.partialSince = 0;
    this.protocolError(corr, spec, ErrorCode.InvalidRequest, message);
  }

  private badPrefix(err: unknown, corr: number | null, key: number): void {
    const message = err instanceof FrameTooLargeError || err instanceof RangeError
      ? (err as Error).message
      : `unreadable frame: ${(err as Error).message}`;
    this.protocolError(corr, apiByKey(key), ErrorCode.FrameTooLarge, message);
  }

  /** `pooled`: the body came from the frame pool and may go back once its request is done. */
  private onFrame(body: Buffer, pooled: boolean): void {
    this.framesIn++;
    if (this.isClosing) return;
    this.dispatcher.frame(body, pooled);
  }

  // ---- input backpressure ---------------------------------------------------------------------

  requestStarted(size: number): void {
    this.inflight++;
    this.inflightBytes += size;
    if (this.inflightBytes >= this.inflightLimit && !this.readPaused) {
      // Input backpressure: a client pipelining faster than we store waits in TCP, not in memory.
      this.readPaused = true;
      this.socket.pause();
    }
  }

  requestDone(size: number): void {
    this.inflightBytes -= size;
    if (this.readPaused && this.inflightBytes < this.inflightResume) {
      this.readPaused = false;
      // Time spent paused by us does not count against the client's frame.
      if (this.partialSince !== 0) this.partialSince = performance.now();
      this.socket.resume();
    }
    if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  // ---- output ---------------------------------------------------------------------------------

  respond(corr: number, schema: Schema<unknown>, body: unknown): void {
    this.write(encodeResponse(corr, schema, body));
  }

  /**
   * Queues a response's parts (no copy of record data). Writes made in one tick are corked
   * together. Returns false once the socket's buffer is full (see waitDrain). `written` is
   * called once the parts have been handed to the kernel, or when they never will be.
   */
  write(parts: Buffer[], written?: () => void): boolean {
    const s = this.socket;
    if (s.destroyed || s.writableEnded) {
      written?.();
      return false;
    }
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(this.uncork);
    }
    let ok = true;
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) ok = s.write(parts[i]);
    ok = written ? s.write(parts[last], () => written()) : s.write(parts[last]);
    if (!ok) this.needDrain = true;
    return ok;
  }

  waitDrain(): Promise<void> {
    if (!this.needDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private drained(): void {
    this.needDrain = false;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  // ---- closing --------------------------------------------------------------------------------

  get closing(): boolean {
    return this.isClosing;
  }

  /** Bad input: answer if we can, log one line, stop reading, close this connection only. */
  protocolError(corr: number | null, spec: ApiSpec<any, any> | undefined, code: number, message: string): void {
    if (this.isClosing) return;
    this.ctx.metrics.protocolError();
    this.ctx.logger.warn({ conn: this.id, remote: this.remote, code: errorCodeName(code) }, `closing connection: ${clip(message, MAX_LOGGED_ERROR_CHARS)}`);
    if (corr !== null) {
      try {
        const schema = spec?.response ?? StatusResponse;
        const key = spec?.response ? spec.key : -1;
        this.write(encodeResponse(corr, schema, errorBody(key, code, clip(message))));
      } catch { /* best effort */ }
    }
    // From here on input is discarded (onData checks `closing`); reading on lets the peer's FIN in.
    this.isClosing = true;
    this.endStreams(null);
    this.socket.end();
    // Cleared on close: a pending timer would keep this connection (socket, reader, buffers)
    // alive for the whole grace period after the peer is long gone.
    this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  /** Server shutdown: stop reading, end streams and watches, let in-flight requests answer. */
  async shutdown(timeoutMs = CONNECTION_SHUTDOWN_MS): Promise<void> {
    if (!this.isClosing) {
      this.isClosing = true;
      this.endStreams(new EddyError(ErrorCode.BrokerShuttingDown, 'the broker is shutting down'));
      if (this.inflight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      this.socket.end();
    }
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
    timer.unref();
    await this.closedPromise;
    clearTimeout(timer);
  }

  private endStreams(reason: EddyError | null): void {
    this.streams.endAll(reason);
    this.watches.endAll(reason);
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.isClosing = true;
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    if (this.scratch !== null) this.ctx.framePool.give(this.scratch);
    this.scratch = null;
    this.reader = null;
    this.decoder = null;
    this.endStreams(null);
    for (const w of this.drainWaiters.splice(0)) w();
    this.ctx.metrics.connectionClosed();
    this.onClosed(this);
  }
}

