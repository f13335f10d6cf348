import { PermanentError, defineSink, type SinkRecord } from '@eddy/connector';
import { HEADERS_SCHEMA, USER_AGENT, durationMs, parseHeaders } from './http_options.ts';

export interface HttpSinkOptions {
  endpoint: string;
  method: string;
  headers: string[];
  user_agent?: string;
  'user-agent'?: string;
  batch: 'none' | 'json' | 'lines';
  request_timeout: string | number;
}

/**
 * http-sink: sends each record's value as a request body (or, with `batch`, each batch in one
 * request), retrying failures with backoff within the connector's retry budget. The kit commits
 * a record's offset only after its request got a 2xx. A 4xx other than 408/429 is permanent:
 * the connector stops there rather than skip the record.
 */
export const httpSink = defineSink<HttpSinkOptions>({
  name: 'http-sink',
  version: '0.1.0',
  description: 'Sends records to an HTTP endpoint (one request per record or per batch), committing after a 2xx',
  options: {
    type: 'object',
    required: ['endpoint'],
    additionalProperties: false,
    properties: {
      endpoint: { type: 'string', pattern: '^https?://', description: 'The URL requests go to' },
      method: { type: 'string', default: 'POST', description: 'HTTP method (POST, PUT, PATCH)' },
      headers: HEADERS_SCHEMA,
      user_agent: { type: 'string', description: `User-Agent header (default '${USER_AGENT}')` },
      'user-agent': { type: 'string', description: 'Same as user_agent' },
      batch: {
        type: 'string', enum: ['none', 'json', 'lines'], default: 'none',
        description: "'none': one request per record (the value is the body); 'json': one request per batch, a JSON array of the values (JSON values kept, others as strings); 'lines': one request per batch, values joined by newlines",
      },
      request_timeout: { type: ['string', 'integer'], default: '30s', description: 'A request that takes longer fails (and is retried)' },
    },
  },
  open(opts, ctx) {
    const headers = parseHeaders(opts.headers, opts.user_agent ?? opts['user-agent'] ?? USER_AGENT, 'http.headers');
    if (opts.batch === 'json' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const timeoutMs = durationMs(opts.request_timeout, 'http.request_timeout');
    const method = opts.method.toUpperCase();
    const where = `${method} ${ctx.redact(opts.endpoint)}`;
    // Next offset to send per partition: a batch the kit retries after a partial failure
    // resends only what did not get its 2xx yet.
    const next = new Map<number, number>();

    const send = (body: string | Uint8Array): Promise<void> => ctx.retry(where, async () => {
      const res = await fetch(opts.endpoint, { method, headers, body, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]) });
      await res.arrayBuffer(); // drain: the connection goes back to the pool
      if (res.status >= 200 && res.status < 300) return;
      const msg = `${where}: HTTP ${res.status} ${res.statusText}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
      throw new Error(msg);
    });

    return {
      async write(batch: readonly SinkRecord[]) {
        const p = batch[0].partition;
        const from = next.get(p) ?? -1;
        let first = 0;
        while (first < batch.length && batch[first].offset < from) first++;
        if (first === batch.length) return;
        if (opts.batch === 'none') {
          for (let i = first; i < batch.length; i++) {
            // The value is a view valid during write: fine, the request completes before write returns.
            await send(batch[i].value);
            next.set(p, batch[i].offset + 1);
          }
          return;
        }
        const rest = first === 0 ? batch : batch.slice(first);
        await send(opts.batch === 'json' ? jsonArray(rest) : rest.map((r) => r.value.toString('utf8')).join('\n'));
        next.set(p, batch[batch.length - 1].offset + 1);
      },
    };
  },
});

function jsonArray(batch: readonly SinkRecord[]): string {
  let out = '[';
  for (let i = 0; i < batch.length; i++) {
    const text = batch[i].value.toString('utf8');
    let item: string;
    try {
      JSON.parse(text);
      item = text;
    } catch {
      item = JSON.stringify(text);
    }
    out += i === 0 ? item : `,${item}`;
  }
  return `${out}]`;
}
