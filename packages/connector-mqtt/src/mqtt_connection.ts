import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { PermanentError, type ConnectorContext, type JsonSchema } from '@eddy/connector';

/** The options both MQTT connectors share (Fluvio's names where Fluvio has them). */
export interface MqttConnectionOptions {
  /** A URL, or Fluvio's `{secret: {name}}` reference. */
  url: string | { secret: { name: string } };
  client_id?: string;
  /** Connect timeout: seconds, a duration string, or Fluvio's `{secs, nanos}`. */
  timeout: number | string | { secs: number; nanos?: number };
  protocol_version: '3.1.1' | '5' | 5;
  username?: string;
  password?: string;
  keepalive_secs: number;
  clean_session?: boolean;
  session_expiry_secs: number;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  reject_unauthorized: boolean;
}

/** JSON Schema properties for MqttConnectionOptions (merged into each connector's options). */
export const CONNECTION_PROPERTIES: Record<string, JsonSchema> = {
  url: {
    description: "The broker: mqtt://host:port or mqtts://host:port, credentials allowed (mqtt://user:pass@host). Also Fluvio's {secret: {name: NAME}} (read from the environment)",
    oneOf: [
      { type: 'string', pattern: '^(mqtt|mqtts|tcp|ssl|tls)://' },
      {
        type: 'object', required: ['secret'], additionalProperties: false,
        properties: { secret: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 } } } },
      },
    ],
  },
  client_id: { type: 'string', minLength: 1, description: 'The MQTT client id (default: a random one per run). Set it to keep a persistent session across restarts' },
  timeout: {
    description: "Connect timeout and the longest outage tolerated once connected: seconds, a duration ('30s', '500ms') or Fluvio's {secs, nanos}",
    oneOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$' },
      { type: 'object', required: ['secs'], additionalProperties: false, properties: { secs: { type: 'integer', minimum: 0 }, nanos: { type: 'integer', minimum: 0 } } },
    ],
    default: 60,
  },
  protocol_version: { enum: ['3.1.1', '5', 5], default: '3.1.1', description: 'MQTT 3.1.1 or 5' },
  username: { type: 'string', description: 'User name (or put it in the url)' },
  password: { type: 'string', description: 'Password; use ${{ secrets.NAME }}' },
  keepalive_secs: { type: 'integer', minimum: 0, maximum: 65535, default: 60, description: 'MQTT keep-alive interval' },
  clean_session: { type: 'boolean', description: 'Start without the session the broker kept for this client id. Default: false when client_id is set (undelivered and unacknowledged messages survive a restart), true otherwise' },
  session_expiry_secs: { type: 'integer', minimum: 0, default: 3600, description: 'MQTT 5: how long the broker keeps a persistent session after a disconnect' },
  ca_file: { type: 'string', description: 'mqtts: PEM file of the CA(s) to trust (default: the system CAs)' },
  cert_file: { type: 'string', description: 'mqtts: client certificate (PEM)' },
  key_file: { type: 'string', description: 'mqtts: client key (PEM)' },
  reject_unauthorized: { type: 'boolean', default: true, description: 'mqtts: refuse a server certificate that does not verify' },
};

/** Milliseconds from a `timeout` option. */
export function timeoutMs(t: MqttConnectionOptions['timeout']): number {
  if (typeof t === 'number') return t * 1000;
  if (typeof t === 'object') return t.secs * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(t)!;
  const unit = m[2] ?? 's';
  return Math.round(Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

/** The broker URL, with Fluvio's `{secret: {name}}` form read from the environment. */
export function brokerUrl(u: MqttConnectionOptions['url'], env: NodeJS.ProcessEnv = process.env): string {
  if (typeof u === 'string') return u;
  const v = env[u.secret.name];
  if (v === undefined || v === '') throw new PermanentError(`mqtt.url: secret '${u.secret.name}' is not set (put it in the environment)`);
  return v;
}

/** mqtt.js options for the shared connection options. */
export function clientOptions(o: MqttConnectionOptions, extra: IClientOptions = {}): IClientOptions {
  const v5 = String(o.protocol_version) === '5';
  const persistent = o.clean_session === undefined ? o.client_id !== undefined : !o.clean_session;
  const tls: IClientOptions = {
    rejectUnauthorized: o.reject_unauthorized,
    ...(o.ca_file !== undefined ? { ca: readFileSync(o.ca_file) } : {}),
    ...(o.cert_file !== undefined ? { cert: readFileSync(o.cert_file) } : {}),
    ...(o.key_file !== undefined ? { key: readFileSync(o.key_file) } : {}),
  };
  return {
    clientId: o.client_id ?? `eddy-${randomUUID()}`,
    protocolVersion: v5 ? 5 : 4,
    clean: !persistent,
    keepalive: o.keepalive_secs,
    connectTimeout: timeoutMs(o.timeout),
    reconnectPeriod: 1000,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...tls,
    ...extra,
    ...(v5 ? { properties: { ...(persistent ? { sessionExpiryInterval: o.session_expiry_secs } : {}), ...extra.properties } } : {}),
  };
}

/**
 * Connects and resolves once the broker accepted the connection (CONNACK). Rejects after the
 * timeout or on a refusal; the kit retries `open` within the connector's retry budget.
 * `prepare` installs hooks before the first packet can arrive.
 */
export function connectMqtt(o: MqttConnectionOptions, options: IClientOptions, ctx: ConnectorContext, prepare?: (client: MqttClient) => void): Promise<MqttClient> {
  const url = brokerUrl(o.url);
  const ms = timeoutMs(o.timeout);
  return new Promise((resolve, reject) => {
    // No reconnecting until the first connection succeeded: a failed attempt is the kit's to retry.
    const client = mqtt.connect(url, { ...options, manualConnect: true, reconnectPeriod: 0 });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      client.removeAllListeners('connect');
      client.end(true);
      reject(new Error(`connecting to MQTT broker ${ctx.redact(safeUrl(url))}: ${err.message}`));
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
    client.once('error', fail);
    client.once('connect', () => {
      clearTimeout(timer);
      client.removeListener('error', fail);
      client.options.reconnectPeriod = options.reconnectPeriod ?? 1000;
      resolve(client);
    });
    prepare?.(client);
    client.connect();
  });
}

/** The URL without credentials, for log lines. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/**
 * Watches a connected client: logs disconnects and reconnects (mqtt.js reconnects by itself) and
 * fails the connector when the broker stays unreachable for longer than `outageMs`.
 */
export function watchConnection(client: MqttClient, url: string, outageMs: number, ctx: ConnectorContext, fail: (err: Error) => void): () => void {
  let since = 0;
  let timer: NodeJS.Timeout | null = null;
  const onClose = (): void => {
    if (timer !== null || ctx.signal.aborted) return;
    since = Date.now();
    ctx.reportError(new Error('connection closed'), `MQTT broker ${safeUrl(url)}: disconnected, reconnecting`);
    timer = setTimeout(() => fail(new Error(`MQTT broker ${ctx.redact(safeUrl(url))} unreachable for ${Date.now() - since} ms`)), outageMs);
  };
  const onConnect = (): void => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    ctx.logger.info({ event: 'reconnected', afterMs: Date.now() - since }, 'MQTT broker reconnected');
  };
  const onError = (err: Error): void => ctx.reportError(err, `MQTT broker ${safeUrl(url)}`);
  client.on('close', onClose);
  client.on('connect', onConnect);
  client.on('error', onError);
  return () => {
    if (timer !== null) clearTimeout(timer);
    client.removeListener('close', onClose);
    client.removeListener('connect', onConnect);
    client.removeListener('error', onError);
  };
}
