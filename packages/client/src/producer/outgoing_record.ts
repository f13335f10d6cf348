import { headersBytes } from '@eddy/protocol/internal';
import type { RecordHeader } from '@eddy/protocol';
import { recordSize } from './accumulator.ts';
import type { HeadersInput } from './options.ts';

/**
 * One record as the accumulator takes it: checked, the key as bytes, lengths and size known. The
 * producer reuses one per send path and refills it with read(), so accepting a record allocates
 * nothing beyond what its key, value and headers need; copy() keeps one that has to wait for room.
 */
export class OutgoingRecord {
  key: Uint8Array | null = null;
  /** -1 for a null key. */
  keyLength = -1;
  value: string | Uint8Array = '';
  valueLength = 0;
  /** NaN: the batch's timestamp. */
  timestamp = NaN;
  headers: RecordHeader[] | null = null;
  headerBytes = 0;
  /** Explicit partition, or undefined for the partitioner's choice. */
  partition: number | undefined = undefined;
  /** Estimated encoded size (what counts against the queue limit). */
  size = 0;

  /** Checks and takes one record's fields; throws TypeError or RangeError for a bad one. */
  read(
    key: string | Uint8Array | null | undefined,
    value: string | Uint8Array,
    timestamp: number | undefined,
    headers: HeadersInput | undefined,
    partition: number | undefined,
  ): this {
    const k = keyBytes(key);
    this.key = k;
    this.keyLength = k === null ? -1 : k.length;
    this.valueLength = valueLength(value);
    this.value = value;
    this.timestamp = timestamp === undefined ? NaN : checkTimestamp(timestamp);
    if (headers === undefined) {
      this.headers = null;
      this.headerBytes = 0;
    } else {
      this.headers = toHeaders(headers);
      this.headerBytes = headersBytes(this.headers);
    }
    this.partition = partition;
    this.size = recordSize(this.keyLength, this.valueLength, this.headerBytes);
    return this;
  }

  /** A bare value the caller checked is a string or Uint8Array (no key, timestamp, headers or partition): the bulk path's common case. */
  readValue(value: string | Uint8Array): this {
    this.key = null;
    this.keyLength = -1;
    this.value = value;
    this.valueLength = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    this.timestamp = NaN;
    this.headers = null;
    this.headerBytes = 0;
    this.partition = undefined;
    this.size = recordSize(-1, this.valueLength, 0);
    return this;
  }

  copy(): OutgoingRecord {
    const c = new OutgoingRecord();
    c.key = this.key;
    c.keyLength = this.keyLength;
    c.value = this.value;
    c.valueLength = this.valueLength;
    c.timestamp = this.timestamp;
    c.headers = this.headers;
    c.headerBytes = this.headerBytes;
    c.partition = this.partition;
    c.size = this.size;
    return c;
  }
}

function keyBytes(k: string | Uint8Array | null | undefined): Uint8Array | null {
  if (k == null) return null;
  if (typeof k === 'string') return Buffer.from(k, 'utf8');
  if (k instanceof Uint8Array) return k;
  throw new TypeError(`record key must be a string, Uint8Array or null, got ${typeof k}`);
}

/** Bytes of a value (strings are written as UTF-8 straight into the batch). */
function valueLength(v: string | Uint8Array): number {
  if (v instanceof Uint8Array) return v.length;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  throw new TypeError(`record value must be a string or Uint8Array, got ${v === null ? 'null' : typeof v}`);
}

function checkTimestamp(t: number): number {
  if (!Number.isSafeInteger(t)) throw new RangeError(`record timestamp must be an integer (epoch ms), got ${t}`);
  return t;
}

function toHeaders(h: HeadersInput): RecordHeader[] {
  const entries = Array.isArray(h) ? h as readonly (readonly [string, string | Uint8Array])[] : Object.entries(h);
  return entries.map(([k, v]) => {
    if (typeof k !== 'string') throw new TypeError(`header key must be a string, got ${typeof k}`);
    if (typeof v === 'string') return [k, Buffer.from(v, 'utf8')] as const;
    if (v instanceof Uint8Array) return [k, v] as const;
    throw new TypeError(`header '${k}' value must be a string or Uint8Array, got ${v === null ? 'null' : typeof v}`);
  });
}
