import net from 'node:net';
import {
  Apis,
  EddyError,
  ErrorCode,
  FrameReader,
  DEFAULT_MAX_FRAME_BYTES,
  EDDY_VERSION,
  apiVersionOf,
  encodeRequest,
  readResponseHeader,
} from '@eddy/protocol';
import type { ApiName, ApiSpec, RequestOf, ResponseOf } from '@eddy/protocol';
import type { Schema } from '@eddy/protocol/internal';
import { CONNECT_TIMEOUT_MS, KEEP_ALIVE_MS, REQUEST_TIMEOUT_MS } from './defaults.ts';
import { formatEndpoint, type Endpoint } from './endpoint.ts';
import { negotiateVersions, type Negotiated } from './negotiate.ts';

/** Sent in ApiVersions so broker logs can tell client builds apart. */
export const CLIENT_VERSION = EDDY_VERSION;

export interface ConnectionOptions {
  clientId?: string;
  /** Give up connecting (TCP + ApiVersions) after this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default time limit for a request's response; 0 = none. Default 30 s. Streams have none. */
  requestTimeoutMs?: number;
  maxFrameBytes?: number;
  /**
   * APIs the broker must serve, checked on connect (the connection fails with UnsupportedVersion
   * naming the first one missing). Default: the data path (Produce, StreamFetch, StreamFetchAck,
   * StreamFetchClose, ListTopics). Any other API the broker lacks fails when first used.
   */
  requireApis?: readonly ApiName[];
}

export const CORE_APIS: readonly ApiName[] = ['Produce', 'StreamFetch', 'StreamFetchAck', 'StreamFetchClose', 'ListTopics'];

export interface RequestOptions {
  /** Overrides the connection's request timeout; 0 = none. */
  timeoutMs?: number;
}

/** Receives every response of a streaming request (same correlation id), then at most one error. */
export interface StreamHandler<R> {
  onResponse(response: R): void;
  /** The stream can get no more responses: the connection closed or a response did not decode. */
  onError(err: Error): void;
}

export interface StreamHandle {
  /** The request's correlation id, which also names the stream in StreamFetchAck/Close. */
  readonly id: number;
  /** Stops delivering responses to the handler (late ones are dropped). Does not tell the broker. */
  detach(): void;
}

interface Pending {
  /** The response layout of the version the request was sent at. */
  response: Schema<any>;
  name: string;
  resolve(v: any): void;
  reject(e: Error): void;
  /** performance.now() after which the request fails with Timeout (Infinity: never), and its limit. */
  deadline: number;
  timeoutMs: number;
}

interface StreamEntry {
  response: Schema<any>;
  handler: StreamHandler<any>;
}

/**
 * One TCP connection to one broker endpoint. Requests are pipelined (any number in flight) and
 * their responses matched by correlation id, in whatever order they arrive. Streaming requests get
 * every response carrying their id; one-way requests get none. A request's frame is written as its
 * parts inside one cork, so referenced byte fields (record batches) are never copied.
 */
export class Connection {
  readonly endpoint: string;
  readonly clientId: string;
  /** The broker's version string from ApiVersions. */
  serverVersion = '';
  private readonly socket: net.Socket;
  private readonly reader: FrameReader;
  private readonly requestTimeoutMs: number;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, StreamEntry>();
  private readonly versions = new Map<number, Negotiated>();
  private readonly closeListeners = new Set<(err: EddyError) => void>();
  private nextCorrelationId = 1;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private timeoutAt = Infinity;
  private corked = false;
  private closedWith: EddyError | null = null;

  private constructor(socket: net.Socket, endpoint: string, opts: ConnectionOptions, reader: FrameReader, input: ReadSink) {
    this.socket = socket;
    this.endpoint = endpoint;
    this.clientId = opts.clientId ?? 'eddy-client';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.reader = reader;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    let cause: Error | undefined;
    // The socket reads into the reader's buffers (net's onread): a frame larger than the scratch
    // buffer is read straight into its own body, no per-read chunk and no copy into the frame.
    input.onRead = (n: number) => {
      try {
        this.reader.bytesRead(n, this.onFrame);
      } catch (err) {
        // A bad size prefix: the byte stream can no longer be split into frames.
        cause = err as Error;
        socket.destroy();
      }
    };
    socket.removeListener('error', noop);
    socket.on('error', (err) => { cause ??= err; });
    socket.on('close', () => {
      const reason = cause ? `: ${cause.message}` : '';
      this.shutdown(new EddyError(ErrorCode.BrokerUnavailable, `connection to ${this.endpoint} closed${reason}`, { cause }));
    });
    if (socket.destroyed) this.shutdown(new EddyError(ErrorCode.BrokerUnavailable, `connection to ${this.endpoint} closed`));
  }

  /** Opens the socket and negotiates API versions. Errors are retriable BrokerUnavailable (or Timeout) EddyErrors. */
  static async connect(endpoint: Endpoint, opts: ConnectionOptions = {}): Promise<Connection> {
    const name = formatEndpoint(endpoint);
    const timeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const started = Date.now();
    const reader = new FrameReader({ maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    const input: ReadSink = { onRead: noop };
    const socket = await openSocket(endpoint, name, timeoutMs, reader, input);
    const conn = new Connection(socket, name, opts, reader, input);
    try {
      const left = Math.max(1, timeoutMs - (Date.now() - started));
      const res = await conn.request('ApiVersions', { clientVersion: CLIENT_VERSION }, { timeoutMs: left });
      if (res.errorCode !== 0) {
        throw new EddyError(res.errorCode, `ApiVersions rejected by ${name}: ${res.errorMessage ?? 'no reason given'}`);
      }
      conn.serverVersion = res.serverVersion;
      for (const [key, n] of negotiateVersions(res.apis, name, res.serverVersion)) conn.versions.set(key, n);
      for (const api of opts.requireApis ?? CORE_APIS) conn.versionOf(api);
    } catch (err) {
      conn.close();
      if (err instanceof EddyError && err.code === ErrorCode.Timeout) {
        throw new EddyError(ErrorCode.Timeout, `broker at ${name} did not answer ApiVersions within ${timeoutMs} ms`, { cause: err });
      }
      throw err;
    }
    return conn;
  }

  get closed(): boolean { return this.closedWith !== null; }

  /** Requests awaiting a response plus open streams. */
  get inFlight(): number { return this.pending.size + this.streams.size; }

  /** Called once when the connection closes, for whatever reason. */
  onClose(listener: (err: EddyError) => void): () => void {
    if (this.closedWith) { listener(this.closedWith); return () => {}; }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Version the broker and this client agreed for an API; throws UnsupportedVersion when the broker lacks it. */
  versionOf(name: ApiName): number {
    const n = this.versions.get(Apis[name].key);
    if (n === undefined) return 0; // before negotiation: only ApiVersions itself is sent
    if ('missing' in n) throw new EddyError(ErrorCode.UnsupportedVersion, n.missing);
    return n.version;
  }

  /** Whether the broker serves `name` at a version this client speaks. */
  supports(name: ApiName): boolean {
    const n = this.versions.get(Apis[name].key);
    return n !== undefined && 'version' in n;
  }

  /** Sends a request and resolves with its decoded response. */
  request<N extends ApiName>(name: N, body: RequestOf<N>, opts?: RequestOptions): Promise<ResponseOf<N>> {
    return this.requestWith(name, undefined, body, opts);
  }

  /**
   * request() with the body written by `schema`, which must produce `name`'s wire layout at the
   * negotiated version, versionOf(name) (used to write several record batches as separate parts).
   * Without one, the layout of that version in the protocol's table.
   */
  requestWith<N extends ApiName, B>(name: N, schema: Schema<B> | undefined, body: B, opts?: RequestOptions): Promise<ResponseOf<N>> {
    const api = Apis[name] as ApiSpec<any, any>;
    if (api.response === null || api.streaming) {
      return Promise.reject(new TypeError(`${name} is not a request/response API`));
    }
    return new Promise((resolve, reject) => {
      let id: number;
      let response: Schema<any>;
      try {
        id = this.write(name, api, body, schema);
        response = apiVersionOf(api, this.versionOf(name))!.response!;
      } catch (err) {
        reject(err as Error);
        return;
      }
      const timeoutMs = opts?.timeoutMs ?? this.requestTimeoutMs;
      const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
      this.pending.set(id, { response, name, resolve, reject, deadline, timeoutMs });
      if (deadline < this.timeoutAt) this.armTimeouts(deadline);
    });
  }

  /**
   * One timer for every request's time limit, set for the earliest deadline: a request costs no
   * timer of its own (requests of one connection mostly share a limit, so later ones never move it).
   */
  private armTimeouts(at: number): void {
    if (this.timeoutTimer !== null) clearTimeout(this.timeoutTimer);
    this.timeoutAt = at;
    this.timeoutTimer = setTimeout(this.expire, Math.max(0, at - performance.now()));
    this.timeoutTimer.unref();
  }

  private readonly expire = (): void => {
    this.timeoutTimer = null;
    this.timeoutAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(id);
        p.reject(new EddyError(ErrorCode.Timeout, `${p.name} request to ${this.endpoint} got no response within ${p.timeoutMs} ms`));
      } else if (p.deadline < next) {
        next = p.deadline;
      }
    }
    if (next !== Infinity && !this.closed) this.armTimeouts(next);
  };

  /** Sends a one-way request (no response will come). Throws when the connection is closed. */
  send<N extends ApiName>(name: N, body: RequestOf<N>): void {
    this.write(name, Apis[name], body);
  }

  /** Sends a streaming request; every response with its correlation id goes to `handler`. */
  openStream<N extends ApiName>(name: N, body: RequestOf<N>, handler: StreamHandler<ResponseOf<N>>): StreamHandle {
    const api = Apis[name] as ApiSpec<any, any>;
    if (!api.streaming) throw new TypeError(`${name} is not a streaming API`);
    const id = this.write(name, api, body);
    this.streams.set(id, { response: apiVersionOf(api, this.versionOf(name))!.response!, handler });
    return { id, detach: () => void this.streams.delete(id) };
  }

  /** Closes the socket; everything pending fails with a non-retriable StreamClosed error. */
  close(): void {
    if (this.closedWith) return;
    this.shutdown(new EddyError(ErrorCode.StreamClosed, `connection to ${this.endpoint} closed by the client`));
    this.socket.destroy();
  }

  private write(name: string, api: ApiSpec<any, any>, body: unknown, schema?: Schema<any>): number {
    if (this.closedWith) throw this.closedWith;
    const apiVersion = this.versionOf(name as ApiName);
    schema ??= apiVersionOf(api, apiVersion)!.request;
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === 0x7fffffff ? 1 : correlationId + 1;
    const parts = encodeRequest({ apiKey: api.key, apiVersion, correlationId, clientId: this.clientId }, schema, body);
    if (!this.corked) {
      // Everything written in this tick leaves in one writev.
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    for (const p of parts) this.socket.write(p);
    return correlationId;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private readonly onFrame = (body: Buffer): void => {
    let id: number;
    let reader;
    try {
      ({ correlationId: id, reader } = readResponseHeader(body));
    } catch {
      return; // a frame too short for a correlation id answers nobody
    }
    const p = this.pending.get(id);
    if (p !== undefined) {
      this.pending.delete(id);
      let res;
      try {
        res = p.response.read(reader);
      } catch (err) {
        p.reject(new EddyError(ErrorCode.CorruptMessage, `malformed ${p.name} response from ${this.endpoint}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      p.resolve(res);
      return;
    }
    const s = this.streams.get(id);
    if (s === undefined) return; // late answer to a timed-out request or a detached stream
    let res;
    try {
      res = s.response.read(reader);
    } catch (err) {
      this.streams.delete(id);
      s.handler.onError(new EddyError(ErrorCode.CorruptMessage, `malformed stream response from ${this.endpoint}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    try {
      s.handler.onResponse(res);
    } catch (err) {
      // A failing handler must not take the socket (and everyone else's requests) down with it.
      this.streams.delete(id);
      s.handler.onError(err as Error);
    }
  };

  private shutdown(err: EddyError): void {
    if (this.closedWith) return;
    this.closedWith = err;
    if (this.timeoutTimer !== null) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = null;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.handler.onError(err);
    for (const l of this.closeListeners) l(err);
    this.closeListeners.clear();
  }
}

/** Where the socket's reads go once the Connection exists (nothing arrives before it sends). */
interface ReadSink {
  onRead(bytes: number): void;
}

function openSocket(endpoint: Endpoint, name: string, timeoutMs: number, reader: FrameReader, input: ReadSink): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: endpoint.host,
      port: endpoint.port,
      onread: {
        buffer: () => reader.readBuffer(),
        callback: (n: number) => {
          input.onRead(n);
          return true;
        },
      },
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new EddyError(ErrorCode.BrokerUnavailable, `could not connect to ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new EddyError(ErrorCode.BrokerUnavailable, `cannot connect to ${name}: ${err.message}`, { cause: err }));
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      // Keeps an early error from being unhandled until the Connection adopts the socket.
      socket.on('error', noop);
      resolve(socket);
    });
    socket.once('error', onError);
  });
}

function noop(): void {}
