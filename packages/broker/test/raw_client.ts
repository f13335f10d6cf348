// Test-only client speaking the wire protocol directly, each API at its latest version (the real
// client lives in @eddy/client).
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import {
  Apis, FrameDecoder, encodeRequest, readResponseHeader, encodeBatch, decodeRecords, OffsetStart,
  StreamFetchResponse,
} from '@eddy/protocol';
import { decode, batchTotalSize } from '@eddy/protocol/internal';
import type { ApiName, RequestOf, ResponseOf, StreamFetchRequest, DecodedRecord } from '@eddy/protocol';
import type { Schema } from '@eddy/protocol/internal';

interface Pending { schema: Schema<unknown>; resolve(v: unknown): void; reject(e: Error): void }

export class RawClient {
  readonly socket: Socket;
  private decoder = new FrameDecoder(256 * 1024 * 1024);
  private nextCorr = 1;
  private pending = new Map<number, Pending>();
  private streams = new Map<number, StreamHandle>();
  private closeError: Error | null = null;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk, (body) => this.onFrame(body)));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.closeError = new Error('connection closed');
      for (const p of this.pending.values()) p.reject(this.closeError);
      this.pending.clear();
      for (const s of this.streams.values()) s.onClose();
      resolve();
    }));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => { s.off('error', reject); resolve(new RawClient(s)); });
      s.once('error', reject);
    });
  }

  private onFrame(body: Buffer): void {
    const { correlationId, reader } = readResponseHeader(body);
    const p = this.pending.get(correlationId);
    if (p) {
      this.pending.delete(correlationId);
      try { p.resolve(decode(p.schema, body, reader.pos)); } catch (e) { p.reject(e as Error); }
      return;
    }
    const s = this.streams.get(correlationId);
    if (s) {
      // Copy: the frame may be a view into a reused chunk.
      s.push(decode(StreamFetchResponse, Buffer.from(body), reader.pos));
      return;
    }
    this.unsolicited.push({ correlationId, body: Buffer.from(body) });
  }

  /** Frames nobody waited for (e.g. error responses to raw garbage). */
  readonly unsolicited: { correlationId: number; body: Buffer }[] = [];

  request<N extends ApiName>(api: N, body: RequestOf<N>, corr = this.nextCorr++): Promise<ResponseOf<N>> {
    const spec = Apis[api];
    if (this.closeError) return Promise.reject(this.closeError);
    const p = new Promise<ResponseOf<N>>((resolve, reject) => {
      this.pending.set(corr, { schema: spec.response as Schema<unknown>, resolve: resolve as (v: unknown) => void, reject });
    });
    this.write(encodeRequest({ apiKey: spec.key, apiVersion: spec.maxVersion, correlationId: corr, clientId: 'test' }, spec.request as Schema<unknown>, body));
    return p;
  }

  /** A request that gets no response (acks=0 produce, StreamFetchAck). */
  send<N extends ApiName>(api: N, body: RequestOf<N>): void {
    const spec = Apis[api];
    this.write(encodeRequest({ apiKey: spec.key, apiVersion: spec.maxVersion, correlationId: this.nextCorr++, clientId: 'test' }, spec.request as Schema<unknown>, body));
  }

  stream(req: Partial<StreamFetchRequest> & { topic: string }): StreamHandle {
    const full: StreamFetchRequest = {
      partition: 0, startKind: OffsetStart.Beginning, startValue: 0, endOffset: -1, stopAtEnd: false,
      maxBytes: 1024 * 1024, windowBytes: 0, smartmodules: [], ...req,
    };
    const corr = this.nextCorr++;
    const h = new StreamHandle(this, corr);
    this.streams.set(corr, h);
    this.write(encodeRequest({ apiKey: Apis.StreamFetch.key, apiVersion: 0, correlationId: corr, clientId: 'test' }, Apis.StreamFetch.request, full));
    return h;
  }

  /** Writes a frame's parts in one segment (cork) — with Nagle off, separate writes cost round trips. */
  write(parts: Buffer[] | Buffer): void {
    this.socket.cork();
    if (Array.isArray(parts)) for (const p of parts) this.socket.write(p);
    else this.socket.write(parts);
    this.socket.uncork();
  }

  async close(): Promise<void> {
    this.socket.end();
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 1000))]);
    this.socket.destroy();
  }
}

export class StreamHandle {
  readonly id: number;
  private client: RawClient;
  private queue: StreamFetchResponse[] = [];
  private waiters: ((r: StreamFetchResponse | null) => void)[] = [];
  private closed = false;

  constructor(client: RawClient, id: number) {
    this.client = client;
    this.id = id;
  }

  push(r: StreamFetchResponse): void {
    const w = this.waiters.shift();
    if (w) w(r); else this.queue.push(r);
  }

  onClose(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  /** Next response, or null when the connection closed; rejects after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<StreamFetchResponse | null> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`no stream response within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (v: StreamFetchResponse | null): void => { clearTimeout(timer); resolve(v); };
      this.waiters.push(done);
    });
  }

  /** True if a response arrives within `ms` (without consuming it). */
  async idleFor(ms: number): Promise<boolean> {
    if (this.queue.length > 0) return false;
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.length === 0;
  }

  ack(offset: number, bytes: number): void {
    this.client.send('StreamFetchAck', { streamId: this.id, offset, bytes });
  }

  close(): Promise<unknown> {
    return this.client.request('StreamFetchClose', { streamId: this.id });
  }

  /** Reads responses until endOfStream (or `until` returns true); returns them all. */
  async collect(until?: (all: StreamFetchResponse[]) => boolean, timeoutMs = 5000): Promise<StreamFetchResponse[]> {
    const out: StreamFetchResponse[] = [];
    for (;;) {
      const r = await this.next(timeoutMs);
      if (!r) return out;
      out.push(r);
      if (r.endOfStream || until?.(out)) return out;
    }
  }
}

/** A batch of records with string values (and optional keys). */
export function batchOf(values: string[], opts: { keys?: string[]; timestamp?: number; compression?: 0 | 1 | 2 | 3 | 4 } = {}): Buffer {
  return encodeBatch(values.map((v, i) => ({
    key: opts.keys ? Buffer.from(opts.keys[i]) : null,
    value: Buffer.from(v),
    timestamp: opts.timestamp,
  })), { timestamp: opts.timestamp, compression: opts.compression });
}

/** Every record in concatenated batches. */
export function recordsIn(batches: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (let at = 0; at < batches.length; at += batchTotalSize(batches, at)) out.push(...decodeRecords(batches, at));
  return out;
}

/** Records of a stream's responses at or after `from`, as value strings with offsets. */
export function streamRecords(responses: StreamFetchResponse[], from = 0): { offset: number; value: string; key: string | null; timestamp: number }[] {
  return responses.flatMap((r) => recordsIn(r.records))
    .filter((r) => r.offset >= from)
    .map((r) => ({ offset: r.offset, value: r.value.toString(), key: r.key ? r.key.toString() : null, timestamp: r.timestamp }));
}

/** A full TopicSpec with defaults (0 / '' = broker default) and overrides. */
export function topicSpec(over: Partial<RequestOf<'CreateTopic'>['spec']> = {}): RequestOf<'CreateTopic'>['spec'] {
  return { partitions: 0, replicationFactor: 0, retentionMs: 0, retentionBytes: 0, segmentBytes: 0, maxRecordBytes: 0, compression: '', flush: '', ...over };
}
