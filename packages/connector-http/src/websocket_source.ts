import WebSocket from 'ws';
import type { SourceContext, SourceSession } from '@eddy/connector';

/** `http.websocket_config` (Fluvio's name), plus a list of subscription messages. */
export interface WebSocketConfig {
  subscription_message?: unknown;
  subscription_messages?: unknown[];
  ping_interval_ms?: number;
  reconnection_policy?: unknown;
}

/** Messages waiting for the producer beyond this pause the socket (TCP back-pressure upstream). */
const PAUSE_AT = 1024;
const RESUME_AT = 128;

/**
 * WebSocket mode: connects, sends the subscription messages, pings every `ping_interval_ms`, and
 * emits each message as one record (text as text, binary as bytes). A dropped connection is
 * re-established (subscriptions sent again) within the connector's retry budget.
 */
export async function openWebSocket(url: string, headers: Headers, cfg: WebSocketConfig, ctx: SourceContext): Promise<SourceSession> {
  const subscriptions: string[] = [];
  if (cfg.subscription_message !== undefined) subscriptions.push(asText(cfg.subscription_message));
  for (const m of cfg.subscription_messages ?? []) subscriptions.push(asText(m));
  const headerObj: Record<string, string> = {};
  headers.forEach((v, k) => { headerObj[k] = v; });
  const where = ctx.redact(url);

  let current: WebSocket | null = null;
  let closing = false;
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;

  const connectOnce = (): Promise<WebSocket> => new Promise((resolve, reject) => {
    const sock = new WebSocket(url, { headers: headerObj, handshakeTimeout: 10_000 });
    const fail = (err: Error): void => { sock.removeAllListeners(); sock.terminate(); reject(err); };
    sock.once('open', () => { sock.removeAllListeners(); resolve(sock); });
    sock.once('error', fail);
    sock.once('unexpected-response', (_req, res) => fail(new Error(`WebSocket handshake refused: HTTP ${res.statusCode}`)));
  });

  const onMessage = (sock: WebSocket) => (data: WebSocket.RawData, isBinary: boolean): void => {
    const value = isBinary ? toBytes(data) : toBytes(data).toString('utf8');
    if (++queued >= PAUSE_AT && !sock.isPaused) sock.pause();
    chain = chain.then(() => ctx.emit({ value })).then(() => {
      if (--queued <= RESUME_AT && sock.isPaused) sock.resume();
    }, (err: unknown) => ctx.fail(err));
  };

  const connect = async (): Promise<void> => {
    const sock = await ctx.retry(`connecting to ${where}`, connectOnce);
    current = sock;
    for (const m of subscriptions) sock.send(m);
    const ping = cfg.ping_interval_ms === undefined ? null : setInterval(() => sock.ping(), cfg.ping_interval_ms);
    sock.on('message', onMessage(sock));
    sock.on('error', (err) => ctx.reportError(err, `WebSocket ${where}`));
    sock.once('close', (code) => {
      if (ping !== null) clearInterval(ping);
      if (closing || ctx.signal.aborted) return;
      ctx.reportError(new Error(`closed by the server (code ${code})`), `WebSocket ${where}`);
      connect().catch((err: unknown) => ctx.fail(err));
    });
    ctx.logger.info({ event: 'websocket-open', endpoint: where, subscriptions: subscriptions.length }, `connected to ${where}`);
  };

  await connect();
  return {
    async close() {
      closing = true;
      current?.close();
      await chain;
    },
  };
}

function asText(m: unknown): string {
  return typeof m === 'string' ? m : JSON.stringify(m);
}

function toBytes(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
