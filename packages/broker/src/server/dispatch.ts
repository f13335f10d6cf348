import {
  ApiKey, ErrorCode, StatusResponse, apiByKey, apiVersionOf, errorCodeName, nearestApiVersion,
  readRequestHeader, unsupportedVersionMessage,
} from '@eddy/protocol';
import { DecodeError, decode } from '@eddy/protocol/internal';
import type {
  ApiSpec, RequestHeader, StreamFetchAck, StreamFetchClose, StreamFetchRequest,
  WatchMetadataRequest,
} from '@eddy/protocol';
import type { Schema } from '@eddy/protocol/internal';
import { toEddyError } from '../spu/index.ts';
import type { ConnectionContext } from './connection_context.ts';
import type { ConnectionIo } from './connection_io.ts';
import type { MetadataWatches } from './metadata_watches.ts';
import type { StreamFetches } from './stream_fetches.ts';
import { apiName } from './api_name.ts';
import { clip, errorBody } from './error_response.ts';
import { OK } from './handlers/status_ok.ts';

/**
 * A connection's request dispatch: decodes each frame's header and request, checks the api and
 * its version, and routes it: streams and watches to their owners, every other api to its handler
 * (handler_table.ts). Requests run concurrently; each is answered when its handler completes.
 * Bad input goes to the connection's protocolError.
 */
export class Dispatcher {
  private readonly conn: ConnectionIo;
  private readonly ctx: ConnectionContext;
  private readonly streams: StreamFetches;
  private readonly watches: MetadataWatches;

  constructor(conn: ConnectionIo, ctx: ConnectionContext, streams: StreamFetches, watches: MetadataWatches) {
    this.conn = conn;
    this.ctx = ctx;
    this.streams = streams;
    this.watches = watches;
  }

  /** One complete frame. `pooled`: the body came from the frame pool and may go back once its request is done. */
  frame(body: Buffer, pooled: boolean): void {
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
        this.conn.protocolError(corr, undefined, ErrorCode.InvalidRequest, `malformed request header: ${(err as Error).message}`);
        return;
      }
      spec = apiByKey(header.apiKey);
      if (!spec) {
        this.conn.protocolError(corr, undefined, ErrorCode.InvalidRequest, `unknown api key ${header.apiKey}`);
        return;
      }
      const layouts = apiVersionOf(spec, header.apiVersion);
      if (layouts === undefined) {
        // Answered, and the connection stays: the frame was whole, only its version is foreign.
        const answer = nearestApiVersion(spec, header.apiVersion).response ?? StatusResponse;
        this.conn.respond(header.correlationId, answer, errorBody(spec.key, ErrorCode.UnsupportedVersion, unsupportedVersionMessage(spec, header.apiVersion)));
        return;
      }
      let req: unknown;
      try {
        req = decode(layouts.request, body, pos);
      } catch (err) {
        const what = err instanceof DecodeError || err instanceof RangeError ? (err as Error).message : String(err);
        this.conn.protocolError(corr, spec, ErrorCode.InvalidRequest, `malformed ${apiName(spec.key)} request: ${what}`);
        return;
      }
      this.route(header, spec, req, body.length, pooled ? body : null);
    } catch (err) {
      // A bug, not the client's fault; still, this connection's state is unknown now.
      this.ctx.logger.error({ conn: this.conn.id, err: (err as Error).stack ?? String(err) }, 'request handling failed');
      this.conn.protocolError(corr, spec, ErrorCode.Unknown, `internal error: ${(err as Error).message}`);
    }
  }

  private route(header: RequestHeader, spec: ApiSpec<any, any>, req: any, size: number, pooledBody: Buffer | null): void {
    const key = header.apiKey;
    const corr = header.correlationId;
    switch (key) {
      case ApiKey.StreamFetch:
        void this.streams.open(corr, req as StreamFetchRequest, this.watches.has(corr));
        return;
      case ApiKey.StreamFetchAck:
        this.streams.ack(req as StreamFetchAck);
        return;
      case ApiKey.StreamFetchClose: {
        const id = (req as StreamFetchClose).streamId;
        this.streams.close(id);
        this.watches.close(id);
        this.conn.respond(corr, StatusResponse, OK);
        return;
      }
      case ApiKey.WatchMetadata:
        this.watches.open(corr, req as WatchMetadataRequest, this.streams.has(corr));
        return;
    }
    this.handle(key, corr, apiVersionOf(spec, header.apiVersion)!.response as Schema<unknown>, req, size, pooledBody);
  }

  /** A request-response api: run its handler, answer with what it returns (or its error). */
  /** `response`: the layout of the version the request came in at. */
  private handle(key: number, corr: number, response: Schema<unknown>, req: any, size: number, pooledBody: Buffer | null): void {
    const { conn, ctx } = this;
    const handler = ctx.handlers.get(key)!;
    // A produce request's record bytes are copied into (or written by) storage before it is
    // answered; nothing else keeps views of them, so its frame can be reused after that. Other
    // requests may keep views of their body (a SmartModule's wasm, say): never recycled.
    const recycle = key === ApiKey.Produce ? pooledBody : null;
    const started = performance.now();
    const silent = key === ApiKey.Produce && req.acks === 0;
    conn.requestStarted(size);
    let result: unknown;
    try {
      result = handler(req, ctx);
    } catch (err) {
      result = Promise.reject(err);
    }
    // One then() per request (this path runs for every produce request).
    const done = (body: unknown): void => {
      ctx.metrics.observeRequest(apiName(key), (performance.now() - started) / 1000);
      try {
        if (!silent) conn.respond(corr, response, body);
      } catch (err) {
        ctx.logger.error({ conn: conn.id, api: apiName(key), err: (err as Error).message }, 'could not encode response');
        conn.respond(corr, response, errorBody(key, ErrorCode.Unknown, `internal error: ${(err as Error).message}`));
      } finally {
        if (recycle !== null) ctx.framePool.give(recycle);
        conn.requestDone(size);
      }
    };
    Promise.resolve(result).then(done, (err: unknown) => done(this.handlerError(key, err)));
  }

  private handlerError(key: number, err: unknown): Record<string, unknown> {
    const e = toEddyError(err);
    if (e.code === ErrorCode.Unknown || e.code === ErrorCode.StorageError) {
      this.ctx.logger.error({ conn: this.conn.id, api: apiName(key), err: (err as Error)?.stack ?? String(err) }, 'request failed');
    } else {
      this.ctx.logger.debug({ conn: this.conn.id, api: apiName(key), code: errorCodeName(e.code), err: e.message }, 'request refused');
    }
    return errorBody(key, e.code, clip(e.message));
  }
}
