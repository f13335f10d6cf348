import { EddyError, ErrorCode, errorFromCode } from '@eddy/protocol';
import type { ApiName, RequestOf, ResponseOf, Topic } from '@eddy/protocol';
import { Connection, type ConnectionOptions, type RequestOptions } from './connection.ts';
import { formatEndpoint, type Endpoint } from './endpoint.ts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { CONNECT_RETRY_TIMEOUT_MS } from './defaults.ts';

export interface RetryOptions extends BackoffOptions {
  /** Stop retrying after this long; the last retriable error is thrown. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Broker-level requests over one endpoint: keeps (and lazily re-opens) the single Connection all
 * producers, consumers and admin calls of an Eddy instance share, and turns error codes in
 * responses into typed EddyErrors. It never retries a request itself: the producer and consumer
 * decide what is safe to retry.
 */
export class BrokerClient {
  readonly endpoint: Endpoint;
  readonly name: string;
  private readonly opts: ConnectionOptions;
  private conn: Connection | null = null;
  private connecting: Promise<Connection> | null = null;
  private closed = false;

  constructor(endpoint: Endpoint, opts: ConnectionOptions = {}) {
    this.endpoint = endpoint;
    this.name = formatEndpoint(endpoint);
    this.opts = opts;
  }

  /** The open connection if there is one (no connecting). */
  get current(): Connection | null {
    return this.conn !== null && !this.conn.closed ? this.conn : null;
  }

  /** The open connection, or one connect attempt shared by every concurrent caller. */
  connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(new EddyError(ErrorCode.StreamClosed, 'client is closed'));
    const c = this.current;
    if (c) return Promise.resolve(c);
    this.connecting ??= Connection.connect(this.endpoint, this.opts).then(
      (conn) => {
        this.connecting = null;
        if (this.closed) { conn.close(); throw new EddyError(ErrorCode.StreamClosed, 'client is closed'); }
        this.conn = conn;
        return conn;
      },
      (err) => { this.connecting = null; throw err; },
    );
    return this.connecting;
  }

  /** connection(), retrying retriable failures with backoff until the time limit or the signal. */
  async connectionWithRetry(opts: RetryOptions = {}): Promise<Connection> {
    const deadline = Date.now() + (opts.timeoutMs ?? CONNECT_RETRY_TIMEOUT_MS);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.connection();
      } catch (err) {
        if (!(err instanceof EddyError) || !err.retriable || this.closed) throw err;
        const wait = backoffDelay(attempt, opts);
        if (opts.signal?.aborted || Date.now() + wait > deadline) throw err;
        await sleep(wait, opts.signal);
        if (opts.signal?.aborted) throw err;
      }
    }
  }

  /** Sends a request on the current connection (connecting if needed) and returns the raw response. */
  async request<N extends ApiName>(name: N, body: RequestOf<N>, opts?: RequestOptions): Promise<ResponseOf<N>> {
    const conn = await this.connection();
    return conn.request(name, body, opts);
  }

  /** request(), then throws the typed error when the response's top-level errorCode is set. */
  async call<N extends ApiName>(name: N, body: RequestOf<N>, opts?: RequestOptions): Promise<ResponseOf<N>> {
    const res = await this.request(name, body, opts);
    throwIfError(res);
    return res;
  }

  /** The topic's metadata; UnknownTopic when it does not exist. */
  async topic(name: string): Promise<Topic> {
    const res = await this.call('ListTopics', { names: [name] });
    const t = res.topics.find((x) => x.name === name);
    if (!t) throw new EddyError(ErrorCode.UnknownTopic, `unknown topic '${name}'`);
    return t;
  }

  /** Number of partitions of a topic. */
  async partitionCount(topic: string): Promise<number> {
    const t = await this.topic(topic);
    return Math.max(t.spec.partitions, t.status.partitions.length);
  }

  close(): void {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
  }
}

/** Throws the typed error for a response whose `errorCode` is set. */
export function throwIfError(res: unknown): void {
  const r = res as { errorCode?: number; errorMessage?: string | null };
  if (typeof r.errorCode === 'number' && r.errorCode !== ErrorCode.None) throw errorFromCode(r.errorCode, r.errorMessage);
}
