import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  ApiKey, DecodeError, EddyError, ErrorCode, FrameDecoder, FrameOrigin, FrameReader, FrameTooLargeError, StatusResponse,
  StreamFetchResponse, WatchMetadataResponse, apiByKey, apiKeyName, apiVersionOf, decode, encodeResponse,
  errorCodeName, nearestApiVersion, readRequestHeader, unsupportedVersionMessage,
} from '@eddy/protocol';
import type {
  ApiSpec, MetadataChange, RequestHeader, Schema, StreamFetchAck, StreamFetchClose,
  StreamFetchRequest, WatchMetadataRequest,
} from '@eddy/protocol';
import type { Controller, MetadataEvent, SmartModuleObject, SpuObject, TopicObject } from '../controller/index.ts';
import { MetadataKind } from '../controller/index.ts';
import type { FetchStream, Spu, StreamSink } from '../spu/index.ts';
import { toEddyError } from '../spu/index.ts';
import type { Handler } from './handlers.ts';
import type { BrokerMetrics } from './metrics.ts';
import { errorBody } from './error_response.ts';
import { topicView } from './topic_view.ts';
import type { BufferPool } from '../storage/index.ts';
import { readIntoUserBuffers } from './user_buffer_read.ts';

export interface ConnectionContext {
  spu: Spu;
  controller: Controller;
  handlers: Map<number, Handler>;
  metrics: BrokerMetrics;
  logger: Logger;
  maxFrameBytes: number;
  /** Longest a frame may take from its first byte to its last before the connection is closed (0: no limit). */
  frameTimeoutMs: number;
  /** Where large request frames come from (and produce frames go back to). */
  framePool: BufferPool;
}

const WATCH_KINDS: readonly string[] = [MetadataKind.topic, MetadataKind.spu, MetadataKind.smartmodule];
const MAX_ERROR_MESSAGE = 1000;
/** A producer may pipeline this many request bytes before we stop reading its socket. */
const MIN_INFLIGHT_BYTES = 64 * 1024 * 1024;
/** How long a connection closed for bad input may take to flush its error response. */
const CLOSE_GRACE_MS = 2000;
const API_NAMES = new Map<number, string>();
function apiName(key: number): string {
  let n = API_NAMES.get(key);
  if (n === undefined) { n = apiKeyName(key); API_NAMES.set(key, n); }
  return n;
}

/**
 * One client connection: splits frames, decodes requests and runs them concurrently (pipelined;
 * responses go out as they complete, matched by correlation id), owns the connection's streams
 * and metadata watches, and writes responses corked so a burst of them leaves in one syscall.
 * Malformed input gets an error response when a correlation id can be read, one log line, and the
 * connection is closed; nothing a client sends can throw out of this class. So does a frame that
 * never completes: cut short by the end of the client's input, or still incomplete
 * `frameTimeoutMs` after its first byte (the server calls checkFrameTimeout periodically).
 */
export class Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly remote: string;
  private ctx: ConnectionContext;
  /** Frames read straight from the socket into our buffers (see user_buffer_read.ts)... */
  private reader: FrameReader | null = null;
  /** ...or, where Node does not allow that, split out of 'data' chunks. */
  private decoder: FrameDecoder | null = null;
  private streams = new Map<number, FetchStream>();
  private openingStreams = new Set<number>();
  private watches = new Map<number, () => void>();
  private inflight = 0;
  /** Bytes of request frames being handled; reading pauses above `inflightLimit`. */
  private inflightBytes = 0;
  private inflightLimit: number;
  private readPaused = false;
  /** performance.now() when the first byte of the incomplete frame at hand arrived; 0 when none. */
  private partialSince = 0;
  /** Frames received so far (tells a read that completed frames from one that only continued one). */
  private framesIn = 0;
  private idleWaiters: (() => void)[] = [];
  private closing = false;
  private closed = false;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
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
    socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => { this.cleanup(); resolve(); }));
    const reader = new FrameReader({ maxFrameBytes: ctx.maxFrameBytes, allocate: (n) => ctx.framePool.take(n) });
    if (readIntoUserBuffers(socket, () => reader.readBuffer(), (n) => this.onRead(n))) {
      this.reader = reader;
    } else {
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
    if (this.closing) return;
    const reader = this.reader!;
    const framesBefore = this.framesIn;
    try {
      reader.bytesRead(n, this.frameFromReader);
      this.trackPartial(reader.pending, framesBefore);
    } catch (err) {
      if (this.closing) return;
      // A bad size prefix: the bytes after it may hold the request header.
      const after = reader.afterBadPrefix;
      const corr = after !== null && after.length >= 8 ? after.readInt32BE(4) : null;
      const key = after !== null && after.length >= 2 ? after.readUInt16BE(0) : -1;
      this.badPrefix(err, corr, key);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
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
      if (this.closing) return;
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
    if (this.partialSince === 0 || this.closing || this.readPaused) return;
    const limit = this.ctx.frameTimeoutMs;
    if (limit > 0 && now - this.partialSince >= limit) this.incompleteFrame(`incomplete frame: ${this.partialDescription()} arrived within ${limit} ms`);
  }

  /** The client ended its side: answer a frame it cut short, else end ours. */
  private inputEnded(): void {
    if (this.closing) return;
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
    if (this.closing) return;
    const corr = body.length >= 8 ? body.readInt32BE(4) : null;
    let spec: ApiSpec<any, any> | undefined;
    try {
      let header: RequestHeader;
      let pos: number;
      try {
        const r = readRequestHeader(body);
        header = r.header;
        pos = r.reader.pos;
      } catch (err) {
        this.protocolError(corr, undefined, ErrorCode.InvalidRequest, `malformed request header: ${(err as Error).message}`);
        return;
      }
      spec = apiByKey(header.apiKey);
      if (!spec) {
        this.protocolError(corr, undefined, ErrorCode.InvalidRequest, `unknown api key ${header.apiKey}`);
        return;
      }
      const layouts = apiVersionOf(spec, header.apiVersion);
      if (layouts === undefined) {
        // Answered, and the connection stays: the frame was whole, only its version is foreign.
        const answer = nearestApiVersion(spec, header.apiVersion).response ?? StatusResponse;
        this.respond(header.correlationId, answer, errorBody(spec.key, ErrorCode.UnsupportedVersion, unsupportedVersionMessage(spec, header.apiVersion)));
        return;
      }
      let req: unknown;
      try {
        req = decode(layouts.request, body, pos);
      } catch (err) {
        const what = err instanceof DecodeError || err instanceof RangeError ? (err as Error).message : String(err);
        this.protocolError(corr, spec, ErrorCode.InvalidRequest, `malformed ${apiName(spec.key)} request: ${what}`);
        return;
      }
      this.dispatch(header, spec, req, body.length, pooled ? body : null);
    } catch (err) {
      // A bug, not the client's fault; still, this connection's state is unknown now.
      this.ctx.logger.error({ conn: this.id, err: (err as Error).stack ?? String(err) }, 'request handling failed');
      this.protocolError(corr, spec, ErrorCode.Unknown, `internal error: ${(err as Error).message}`);
    }
  }

  private dispatch(header: RequestHeader, spec: ApiSpec<any, any>, req: any, size: number, pooledBody: Buffer | null): void {
    const key = header.apiKey;
    const corr = header.correlationId;
    const response = apiVersionOf(spec, header.apiVersion)!.response as Schema<unknown>;
    switch (key) {
      case ApiKey.StreamFetch:
        void this.openStream(corr, req as StreamFetchRequest);
        return;
      case ApiKey.StreamFetchAck: {
        const ack = req as StreamFetchAck;
        this.streams.get(ack.streamId)?.ack(ack.offset, ack.bytes);
        return;
      }
      case ApiKey.StreamFetchClose: {
        const id = (req as StreamFetchClose).streamId;
        this.streams.get(id)?.close();
        const unwatch = this.watches.get(id);
        if (unwatch) {
          unwatch();
          this.watches.delete(id);
        }
        this.respond(corr, StatusResponse, { errorCode: ErrorCode.None, errorMessage: null });
        return;
      }
      case ApiKey.WatchMetadata:
        this.openWatch(corr, req as WatchMetadataRequest);
        return;
    }
    const handler = this.ctx.handlers.get(key)!;
    // A produce request's record bytes are copied into (or written by) storage before it is
    // answered; nothing else keeps views of them, so its frame can be reused after that. Other
    // requests may keep views of their body (a SmartModule's wasm, say): never recycled.
    const recycle = key === ApiKey.Produce ? pooledBody : null;
    const started = performance.now();
    const silent = key === ApiKey.Produce && req.acks === 0;
    this.inflight++;
    this.inflightBytes += size;
    if (this.inflightBytes >= this.inflightLimit && !this.readPaused) {
      // Input backpressure: a client pipelining faster than we store waits in TCP, not in memory.
      this.readPaused = true;
      this.socket.pause();
    }
    let result: unknown;
    try {
      result = handler(req);
    } catch (err) {
      result = Promise.reject(err);
    }
    // One then() per request (this path runs for every produce request).
    const done = (body: unknown): void => {
      this.ctx.metrics.observeRequest(apiName(key), (performance.now() - started) / 1000);
      try {
        if (!silent) this.respond(corr, response, body);
      } catch (err) {
        this.ctx.logger.error({ conn: this.id, api: apiName(key), err: (err as Error).message }, 'could not encode response');
        this.respond(corr, response, errorBody(key, ErrorCode.Unknown, `internal error: ${(err as Error).message}`));
      } finally {
        if (recycle !== null) this.ctx.framePool.give(recycle);
        this.inflightBytes -= size;
        if (this.readPaused && this.inflightBytes < this.inflightLimit / 2) {
          this.readPaused = false;
          // Time spent paused by us does not count against the client's frame.
          if (this.partialSince !== 0) this.partialSince = performance.now();
          this.socket.resume();
        }
        if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    };
    Promise.resolve(result).then(done, (err: unknown) => done(this.handlerError(key, err)));
  }

  private handlerError(key: number, err: unknown): Record<string, unknown> {
    const e = toEddyError(err);
    if (e.code === ErrorCode.Unknown || e.code === ErrorCode.StorageError) {
      this.ctx.logger.error({ conn: this.id, api: apiName(key), err: (err as Error)?.stack ?? String(err) }, 'request failed');
    } else {
      this.ctx.logger.debug({ conn: this.id, api: apiName(key), code: errorCodeName(e.code), err: e.message }, 'request refused');
    }
    return errorBody(key, e.code, clip(e.message));
  }

  // ---- streams and watches --------------------------------------------------------------------

  private async openStream(corr: number, req: StreamFetchRequest): Promise<void> {
    const started = performance.now();
    if (this.streams.has(corr) || this.openingStreams.has(corr) || this.watches.has(corr)) {
      this.respond(corr, StreamFetchResponse, errorBody(ApiKey.StreamFetch, ErrorCode.InvalidRequest, `stream id ${corr} is already in use on this connection`));
      return;
    }
    const sink: StreamSink = {
      send: (resp, written) => this.write(encodeResponse(corr, StreamFetchResponse, resp), written),
      waitDrain: () => this.waitDrain(),
    };
    let stream: FetchStream | null = null;
    const onEnd = (): void => {
      if (stream && this.streams.get(corr) === stream) {
        this.streams.delete(corr);
        this.ctx.metrics.streamClosed();
      }
    };
    this.openingStreams.add(corr);
    try {
      stream = await this.ctx.spu.createStream(corr, req, sink, onEnd);
    } catch (err) {
      const e = toEddyError(err);
      const body = errorBody(ApiKey.StreamFetch, e.code, clip(e.message));
      body.partition = req.partition;
      this.respond(corr, StreamFetchResponse, body);
      return;
    } finally {
      this.openingStreams.delete(corr);
    }
    if (this.closing) return;
    this.streams.set(corr, stream);
    this.ctx.metrics.streamOpened();
    await stream.start();
    this.ctx.metrics.observeRequest(apiName(ApiKey.StreamFetch), (performance.now() - started) / 1000);
  }

  private openWatch(corr: number, req: WatchMetadataRequest): void {
    const kinds = req.kinds.length > 0 ? req.kinds : WATCH_KINDS;
    const bad = kinds.find((k) => !WATCH_KINDS.includes(k));
    if (bad !== undefined || this.watches.has(corr) || this.streams.has(corr)) {
      const msg = bad !== undefined ? `unknown metadata kind '${bad}' (expected ${WATCH_KINDS.join(', ')})` : `stream id ${corr} is already in use on this connection`;
      this.respond(corr, WatchMetadataResponse, errorBody(ApiKey.WatchMetadata, ErrorCode.InvalidRequest, clip(msg)));
      return;
    }
    const { controller } = this.ctx;
    const changes: MetadataChange[] = [];
    if (kinds.includes(MetadataKind.topic)) for (const t of controller.topics()) changes.push(this.change('sync', t));
    if (kinds.includes(MetadataKind.spu)) for (const s of controller.spus()) changes.push(this.change('sync', s));
    if (kinds.includes(MetadataKind.smartmodule)) for (const m of controller.smartModules()) changes.push(this.change('sync', m));
    this.respond(corr, WatchMetadataResponse, { errorCode: ErrorCode.None, errorMessage: null, changes });
    const unwatch = controller.watch((ev: MetadataEvent) => {
      this.respond(corr, WatchMetadataResponse, { errorCode: ErrorCode.None, errorMessage: null, changes: [this.change(ev.op, ev.object)] });
    }, kinds);
    this.watches.set(corr, unwatch);
  }

  private change(op: string, o: { kind: string; name: string }): MetadataChange {
    const c: MetadataChange = { op, kind: o.kind, name: o.name, topic: null, spu: null, smartmodule: null };
    if (o.kind === MetadataKind.topic) c.topic = topicView(o as TopicObject, this.ctx.spu);
    else if (o.kind === MetadataKind.spu) { const s = o as SpuObject; c.spu = { name: s.name, spec: s.spec, status: s.status }; }
    else if (o.kind === MetadataKind.smartmodule) c.smartmodule = this.ctx.controller.moduleMeta(o as SmartModuleObject);
    return c;
  }

  // ---- output ---------------------------------------------------------------------------------

  private respond(corr: number, schema: Schema<unknown>, body: unknown): void {
    this.write(encodeResponse(corr, schema, body));
  }

  /**
   * Queues a response's parts (no copy of record data). Writes made in one tick are corked
   * together. Returns false once the socket's buffer is full (see waitDrain). `written` is
   * called once the parts have been handed to the kernel, or when they never will be.
   */
  private write(parts: Buffer[], written?: () => void): boolean {
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

  private waitDrain(): Promise<void> {
    if (!this.needDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private drained(): void {
    this.needDrain = false;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  // ---- closing --------------------------------------------------------------------------------

  /** Bad input: answer if we can, log one line, stop reading, close this connection only. */
  private protocolError(corr: number | null, spec: ApiSpec<any, any> | undefined, code: number, message: string): void {
    if (this.closing) return;
    this.ctx.metrics.protocolError();
    this.ctx.logger.warn({ conn: this.id, remote: this.remote, code: errorCodeName(code) }, `closing connection: ${clip(message, 200)}`);
    if (corr !== null) {
      try {
        const schema = spec?.response ?? StatusResponse;
        const key = spec?.response ? spec.key : -1;
        this.write(encodeResponse(corr, schema, errorBody(key, code, clip(message))));
      } catch { /* best effort */ }
    }
    // From here on input is discarded (onData checks `closing`); reading on lets the peer's FIN in.
    this.closing = true;
    this.endStreams(null);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Server shutdown: stop reading, end streams and watches, let in-flight requests answer. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (!this.closing) {
      this.closing = true;
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
    for (const s of [...this.streams.values()]) {
      if (reason) s.abort(reason);
      else s.detach();
    }
    for (const [corr, unwatch] of this.watches) {
      unwatch();
      if (reason) this.respond(corr, WatchMetadataResponse, errorBody(ApiKey.WatchMetadata, reason.code, reason.message));
    }
    this.watches.clear();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.endStreams(null);
    for (const w of this.drainWaiters.splice(0)) w();
    this.ctx.metrics.connectionClosed();
    this.onClosed(this);
  }
}

function clip(s: string, max = MAX_ERROR_MESSAGE): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
