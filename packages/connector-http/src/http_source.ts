import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError, defineSource, type SourceContext, type SourceRecord } from '@eddy/connector';
import { DelimiterSplitter } from './delimiter_splitter.ts';
import { HEADERS_SCHEMA, USER_AGENT, durationMs, parseHeaders } from './http_options.ts';
import { formatRecord, responseHead, type OutputParts, type OutputType, type ResponseHead } from './response_format.ts';
import { openWebSocket, type WebSocketConfig } from './websocket_source.ts';

export interface HttpSourceOptions {
  endpoint: string;
  method: string;
  headers: string[];
  body?: string;
  user_agent?: string;
  'user-agent'?: string;
  interval: string | number;
  output_type: OutputType;
  output_parts: OutputParts;
  stream: boolean;
  delimiter: string;
  request_timeout: string | number;
  websocket_config?: WebSocketConfig;
}

/** What one request needs, resolved once from the options. */
interface Request {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * http-source: polls an endpoint every `interval` (one record per response), or reads a streamed
 * response split at `delimiter` (`stream: true`), or, for ws:// and wss:// endpoints, produces
 * each WebSocket message. Options and defaults are Fluvio's, so its configs run as they are.
 */
export const httpSource = defineSource<HttpSourceOptions>({
  name: 'http-source',
  version: '0.1.0',
  description: 'Produces HTTP responses (polled), streamed response segments, or WebSocket messages',
  options: {
    type: 'object',
    required: ['endpoint'],
    additionalProperties: false,
    properties: {
      endpoint: { type: 'string', pattern: '^(https?|wss?)://', description: 'The URL: http(s):// to poll or stream, ws(s):// for WebSocket mode' },
      method: { type: 'string', default: 'GET', description: 'HTTP method (GET, POST, PUT, HEAD, ...)' },
      headers: HEADERS_SCHEMA,
      body: { type: 'string', description: 'Request body (e.g. for POST)' },
      user_agent: { type: 'string', description: `User-Agent header (default '${USER_AGENT}'); 'user-agent' is accepted too` },
      'user-agent': { type: 'string', description: 'Same as user_agent (the spelling of Fluvio\'s README)' },
      interval: { type: ['string', 'integer'], default: '10s', description: "Time between requests ('10s', '150ms'; integers are ms); in stream mode, the wait before reconnecting" },
      output_type: { type: 'string', enum: ['text', 'json'], default: 'text', description: "'text': as is; 'json': a JSON object with a \"body\" string" },
      output_parts: { type: 'string', enum: ['body', 'full'], default: 'body', description: "'body': the body only; 'full': status and headers too ({status, header, body} with json)" },
      stream: { type: 'boolean', default: false, description: 'Streaming mode: one long response, one record per delimited segment' },
      delimiter: { type: 'string', minLength: 1, default: '\n', description: 'Segment delimiter in streaming mode' },
      request_timeout: { type: ['string', 'integer'], default: '30s', description: 'A polled request that takes longer fails (and is retried)' },
      websocket_config: {
        type: 'object',
        additionalProperties: false,
        description: 'WebSocket mode (ws:// and wss:// endpoints)',
        properties: {
          subscription_message: { type: ['string', 'object', 'array'], description: 'Sent after connecting (objects are sent as JSON)' },
          subscription_messages: { type: 'array', items: { type: ['string', 'object', 'array'] }, description: 'Several messages sent in order after connecting' },
          ping_interval_ms: { type: 'integer', minimum: 1, description: 'Sends a WebSocket ping this often' },
          reconnection_policy: {
            type: 'object',
            description: "Accepted for Fluvio configs; reconnects use the connector's retry budget",
            properties: { max_retries: { type: 'integer' }, base_delay_ms: { type: 'integer' }, max_delay_ms: { type: 'integer' } },
          },
        },
      },
    },
  },
  async open(opts, ctx) {
    const headers = parseHeaders(opts.headers, opts.user_agent ?? opts['user-agent'] ?? USER_AGENT, 'http.headers');
    if (/^wss?:\/\//.test(opts.endpoint)) return await openWebSocket(opts.endpoint, headers, opts.websocket_config ?? {}, ctx);
    const req: Request = {
      url: opts.endpoint,
      method: opts.method.toUpperCase(),
      headers,
      body: opts.body,
      intervalMs: durationMs(opts.interval, 'http.interval'),
      timeoutMs: durationMs(opts.request_timeout, 'http.request_timeout'),
    };
    if (req.body !== undefined && (req.method === 'GET' || req.method === 'HEAD')) throw new PermanentError(`http.body: a ${req.method} request cannot have a body`);
    ctx.logger.info({ event: 'http-open', endpoint: ctx.redact(req.url), method: req.method, stream: opts.stream, intervalMs: req.intervalMs }, opts.stream ? 'streaming' : 'polling');
    return opts.stream ? streamed(req, opts, ctx) : polled(req, opts, ctx);
  },
});

async function* polled(req: Request, opts: HttpSourceOptions, ctx: SourceContext): AsyncGenerator<SourceRecord> {
  const what = `${req.method} ${ctx.redact(req.url)}`;
  while (!ctx.signal.aborted) {
    const started = Date.now();
    const res = await ctx.retry(what, async () => {
      const r = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(req.timeoutMs)]) });
      return { status: r.status, statusText: r.statusText, headers: r.headers, body: await r.text() };
    }).catch((err: unknown) => {
      if (ctx.signal.aborted) return null;
      throw err;
    });
    if (res === null) return;
    if (res.status >= 200 && res.status < 300 || opts.output_parts === 'full') {
      const head = opts.output_parts === 'full' ? responseHead(res.status, res.statusText, res.headers) : null;
      yield { value: formatRecord(res.body, opts.output_type, opts.output_parts, head) };
    } else {
      // The body of an error page is not data: counted and logged, not produced.
      ctx.reportError(new Error(`HTTP ${res.status} ${res.statusText}`), what);
    }
    await sleep(Math.max(0, started + req.intervalMs - Date.now()), undefined, { signal: ctx.signal }).catch(() => {});
  }
}

async function* streamed(req: Request, opts: HttpSourceOptions, ctx: SourceContext): AsyncGenerator<SourceRecord> {
  const what = `${req.method} ${ctx.redact(req.url)} (stream)`;
  while (!ctx.signal.aborted) {
    const res = await ctx.retry(what, async () => {
      const r = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: ctx.signal });
      if (r.status < 200 || r.status >= 300 || r.body === null) {
        await r.body?.cancel();
        throw new Error(`HTTP ${r.status} ${r.statusText}`);
      }
      return r;
    }).catch((err: unknown) => {
      if (ctx.signal.aborted) return null;
      throw err;
    });
    if (res === null) return;
    const head: ResponseHead | null = opts.output_parts === 'full' ? responseHead(res.status, res.statusText, res.headers) : null;
    const splitter = new DelimiterSplitter(opts.delimiter);
    try {
      for await (const chunk of res.body!) {
        for (const segment of splitter.push(chunk)) yield { value: formatRecord(segment, opts.output_type, opts.output_parts, head) };
      }
    } catch (err) {
      if (ctx.signal.aborted) return;
      ctx.reportError(err, `${what}: the stream broke`);
    }
    const rest = splitter.end();
    if (rest !== null) yield { value: formatRecord(rest, opts.output_type, opts.output_parts, head) };
    // The server ended the stream: reconnect after `interval`.
    await sleep(durationMs(opts.interval, 'http.interval'), undefined, { signal: ctx.signal }).catch(() => {});
  }
}
