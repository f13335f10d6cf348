import { ApiKey, ErrorCode, StreamFetchResponse, encodeResponse } from '@eddy/protocol';
import type { EddyError, StreamFetchAck, StreamFetchRequest } from '@eddy/protocol';
import type { FetchStream, StreamSink } from '../spu/index.ts';
import { toEddyError } from '../spu/index.ts';
import type { ConnectionContext } from './connection_context.ts';
import type { ConnectionIo } from './connection_io.ts';
import { apiName } from './api_name.ts';
import { clip, errorBody } from './error_response.ts';

/**
 * A connection's streaming fetches (StreamFetch): long-lived responses that share the opening
 * request's correlation id, which is also the stream's id for StreamFetchAck and StreamFetchClose.
 * The SPU's FetchStream does the reading; this maps ids to streams and streams to the socket.
 */
export class StreamFetches {
  private readonly conn: ConnectionIo;
  private readonly ctx: ConnectionContext;
  private readonly streams = new Map<number, FetchStream>();
  /** Ids of streams being created (the SPU may wait for a partition). */
  private readonly opening = new Set<number>();

  constructor(conn: ConnectionIo, ctx: ConnectionContext) {
    this.conn = conn;
    this.ctx = ctx;
  }

  /** Whether stream `id` is open. */
  has(id: number): boolean {
    return this.streams.has(id);
  }

  /** Whether `id` names a stream open or being opened. */
  taken(id: number): boolean {
    return this.streams.has(id) || this.opening.has(id);
  }

  /** StreamFetch: opens stream `corr` unless `inUse` (the id names one of the connection's watches). */
  async open(corr: number, req: StreamFetchRequest, inUse: boolean): Promise<void> {
    const started = performance.now();
    const { conn, ctx } = this;
    if (inUse || this.taken(corr)) {
      conn.respond(corr, StreamFetchResponse, errorBody(ApiKey.StreamFetch, ErrorCode.InvalidRequest, `stream id ${corr} is already in use on this connection`));
      return;
    }
    const sink: StreamSink = {
      send: (resp, written) => conn.write(encodeResponse(corr, StreamFetchResponse, resp), written),
      waitDrain: () => conn.waitDrain(),
    };
    let stream: FetchStream | null = null;
    const onEnd = (): void => {
      if (stream && this.streams.get(corr) === stream) {
        this.streams.delete(corr);
        ctx.metrics.streamClosed();
      }
    };
    this.opening.add(corr);
    try {
      stream = await ctx.spu.createStream(corr, req, sink, onEnd);
    } catch (err) {
      const e = toEddyError(err);
      const body = errorBody(ApiKey.StreamFetch, e.code, clip(e.message));
      body.partition = req.partition;
      conn.respond(corr, StreamFetchResponse, body);
      return;
    } finally {
      this.opening.delete(corr);
    }
    if (conn.closing) return;
    this.streams.set(corr, stream);
    ctx.metrics.streamOpened();
    await stream.start();
    ctx.metrics.observeRequest(apiName(ApiKey.StreamFetch), (performance.now() - started) / 1000);
  }

  /** StreamFetchAck: the client consumed up to an offset (credit for the stream's window). */
  ack(req: StreamFetchAck): void {
    this.streams.get(req.streamId)?.ack(req.offset, req.bytes);
  }

  /** StreamFetchClose (its stream part): the client is done with stream `id`. */
  close(id: number): void {
    this.streams.get(id)?.close();
  }

  /** The connection ends: abort every stream with `reason`, or detach them when there is none to tell. */
  endAll(reason: EddyError | null): void {
    for (const s of [...this.streams.values()]) {
      if (reason) s.abort(reason);
      else s.detach();
    }
  }
}
