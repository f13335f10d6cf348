/**
 * Record values of mqtt-source. Fluvio's shape is `{"mqtt_topic": "...", "payload": ...}` with the
 * payload as an array of byte values (`binary`) or as the JSON the message holds (`json`).
 */
export type PayloadOutputType = 'binary' | 'json';

/** `{"mqtt_topic":…,"payload":…}` as UTF-8 JSON text. */
export function envelope(topic: string, payload: Buffer, type: PayloadOutputType): string {
  return `{"mqtt_topic":${JSON.stringify(topic)},"payload":${type === 'json' ? jsonPayload(payload) : byteArray(payload)}}`;
}

/** The payload as JSON text: itself when it is JSON, else as a JSON string (never invalid output). */
function jsonPayload(payload: Buffer): string {
  const text = payload.toString('utf8');
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

function byteArray(b: Buffer): string {
  if (b.length === 0) return '[]';
  let s = '[' + b[0];
  for (let i = 1; i < b.length; i++) s += ',' + b[i];
  return s + ']';
}

/**
 * The event time in a JSON payload's `field` (epoch milliseconds, or an ISO-8601 string), or
 * undefined when the payload is not JSON or has no usable value there.
 */
export function payloadTimestamp(payload: Buffer, field: string): number | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== 'object') return undefined;
  const v = (doc as Record<string, unknown>)[field];
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? Math.floor(ms) : undefined;
}

/**
 * The record timestamp from an MQTT 5 user property named `field` (epoch ms or ISO-8601), for
 * payloads whose shape leaves no room for one (Azure's sensor payloads hold exactly one reading).
 */
export function propertyTimestamp(userProperties: Record<string, string | string[]> | undefined, field: string): number | undefined {
  const raw = userProperties?.[field];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(ms) && ms >= 0 ? Math.floor(ms) : undefined;
}
