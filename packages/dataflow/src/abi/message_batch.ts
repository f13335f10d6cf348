/**
 * Message batches in the graph ABI layout (ABI.md): `u32 count`, then messages with a 32-byte
 * header each. The host keeps batches in this layout end to end (source → operators → sink), so
 * crossing into a module is one copy and routing a message is a slice copy; only `offsets`
 * (one u32 per message) is built beside the bytes.
 */
import type { Hlc } from '../time/hlc.ts';
import { isU64, msAt, subAt } from '../time/nanos.ts';

export const MESSAGE_HEADER_BYTES = 32;
export const KIND_RAW = 0;
export const KIND_MESSAGE = 1;
/** An image/video frame (the WIT data model's `snapshot`): format, width, height, frame bytes. */
export const KIND_SNAPSHOT = 2;
/** A snapshot's payload starts with u32 width, u32 height; the frame follows. */
export const SNAPSHOT_PREFIX_BYTES = 8;

// Field offsets within a message (ABI.md).
export const M_SIZE = 0;
export const M_PAYLOAD_LEN = 4;
export const M_PHYSICAL = 8;
export const M_COUNTER = 16;
export const M_NODE = 20;
export const M_KIND = 24;
export const M_TOPIC_LEN = 26;
export const M_CONTENT_TYPE_LEN = 28;
export const M_PROPERTY_COUNT = 30;

export class MessageBatchError extends Error {
  override readonly name = 'MessageBatchError';
}

/** A message to build from fields (tests, the JSONL reader, the source adapter). */
export interface MessageFields {
  timestamp: Hlc;
  /** Default 1 (message). */
  kind?: number;
  topic?: string;
  /** A snapshot's format ("rgb24"). */
  contentType?: string;
  /** A snapshot's frame (without the width/height prefix). */
  payload: Uint8Array;
  /** Snapshots only. */
  width?: number;
  height?: number;
  properties?: readonly (readonly [string, Uint8Array | string])[];
}

/** A message decoded into fields (copies; for tests, `graph test` output and debugging). */
export interface DecodedMessage {
  timestamp: Hlc;
  kind: number;
  topic: string;
  /** A snapshot's format. */
  contentType: string;
  /** A snapshot's frame (its width and height are the two fields below). */
  payload: Buffer;
  properties: [string, Buffer][];
  /** Snapshots only. */
  width?: number;
  height?: number;
}

/** A read-only view of a batch: its bytes and where each message starts. */
export class MessageBatch {
  readonly bytes: Buffer;
  readonly count: number;
  /** Start of message i within `bytes`; `offsets[count]` is the end. */
  readonly offsets: Uint32Array;

  /** Trusts its arguments: use from() (checks) or a MessageBatchBuilder. */
  constructor(bytes: Buffer, count: number, offsets: Uint32Array) {
    this.bytes = bytes;
    this.count = count;
    this.offsets = offsets;
  }

  static readonly EMPTY = MessageBatch.from(Buffer.from([0, 0, 0, 0]));

  /**
   * Indexes a batch (a module's output, a checkpoint): checks that every message's size and
   * field lengths fit, so later reads cannot run past it. Throws MessageBatchError naming the
   * message and what was wrong.
   */
  static from(input: Uint8Array): MessageBatch {
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (bytes.length < 4) throw new MessageBatchError(`message batch is ${bytes.length} bytes, need at least 4`);
    const count = bytes.readUInt32LE(0);
    if (count > (bytes.length - 4) / MESSAGE_HEADER_BYTES) {
      throw new MessageBatchError(`message batch claims ${count} messages in ${bytes.length} bytes`);
    }
    const offsets = new Uint32Array(count + 1);
    // DataView reads: Buffer's read*LE check their arguments on every call (a map's output is
    // indexed here once per message).
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const end = bytes.length;
    let pos = 4;
    for (let i = 0; i < count; i++) {
      offsets[i] = pos;
      if (pos + MESSAGE_HEADER_BYTES > end) throw new MessageBatchError(`message ${i} at byte ${pos}: header runs past the batch`);
      const size = v.getUint32(pos + M_SIZE, true);
      if (size < MESSAGE_HEADER_BYTES || pos + size > end) {
        throw new MessageBatchError(`message ${i} at byte ${pos}: size ${size} does not fit the batch`);
      }
      const used = MESSAGE_HEADER_BYTES + v.getUint16(pos + M_TOPIC_LEN, true) + v.getUint16(pos + M_CONTENT_TYPE_LEN, true) + v.getUint32(pos + M_PAYLOAD_LEN, true);
      if (used > size) throw new MessageBatchError(`message ${i} at byte ${pos}: topic, content type and payload (${used} bytes) exceed its size ${size}`);
      const kind = bytes[pos + M_KIND];
      if (kind !== KIND_RAW && kind !== KIND_MESSAGE) {
        if (kind !== KIND_SNAPSHOT) throw new MessageBatchError(`message ${i} at byte ${pos}: unknown kind ${kind}`);
        if (v.getUint32(pos + M_PAYLOAD_LEN, true) < SNAPSHOT_PREFIX_BYTES) throw new MessageBatchError(`message ${i} at byte ${pos}: a snapshot's payload is shorter than its width and height`);
      }
      const props = v.getUint16(pos + M_PROPERTY_COUNT, true);
      if (props > 0) checkProperties(bytes, pos + used, pos + size, props, i);
      pos += size;
    }
    if (pos !== bytes.length) throw new MessageBatchError(`message batch has ${bytes.length - pos} bytes after its ${count} messages`);
    offsets[count] = pos;
    return new MessageBatch(bytes, count, offsets);
  }

  /** Builds a batch from fields (copies). */
  static of(messages: readonly MessageFields[]): MessageBatch {
    const b = new MessageBatchBuilder();
    for (const m of messages) b.appendFields(m);
    return b.finish();
  }

  /** Bytes of message i (header included): a view. */
  message(i: number): Buffer {
    return this.bytes.subarray(this.offsets[i], this.offsets[i + 1]);
  }

  /** Message i's physical time in ns (a bigint: for decoding, not per-message hot paths). */
  physical(i: number): bigint {
    return this.bytes.readBigUInt64LE(this.offsets[i] + M_PHYSICAL);
  }

  /** Whole ms of message i's physical time (exact; the hot path's half of the time). */
  physicalMs(i: number): number {
    return msAt(this.bytes, this.offsets[i] + M_PHYSICAL);
  }

  /** Nanoseconds past physicalMs(i) (0 … 999999). */
  physicalSub(i: number): number {
    return subAt(this.bytes, this.offsets[i] + M_PHYSICAL);
  }

  counter(i: number): number {
    return this.bytes.readUInt32LE(this.offsets[i] + M_COUNTER);
  }

  node(i: number): number {
    return this.bytes.readUInt32LE(this.offsets[i] + M_NODE);
  }

  timestamp(i: number): Hlc {
    return { physical: this.physical(i), counter: this.counter(i), node: this.node(i) };
  }

  /** The 16 timestamp bytes of message i (a view), for comparing and grouping without objects. */
  timestampBytes(i: number): Buffer {
    const p = this.offsets[i] + M_PHYSICAL;
    return this.bytes.subarray(p, p + 16);
  }

  payload(i: number): Buffer {
    const p = this.offsets[i];
    const start = p + MESSAGE_HEADER_BYTES + this.bytes.readUInt16LE(p + M_TOPIC_LEN) + this.bytes.readUInt16LE(p + M_CONTENT_TYPE_LEN);
    return this.bytes.subarray(start, start + this.bytes.readUInt32LE(p + M_PAYLOAD_LEN));
  }

  decode(i: number): DecodedMessage {
    const b = this.bytes;
    const p = this.offsets[i];
    const tl = b.readUInt16LE(p + M_TOPIC_LEN);
    const cl = b.readUInt16LE(p + M_CONTENT_TYPE_LEN);
    const pl = b.readUInt32LE(p + M_PAYLOAD_LEN);
    let q = p + MESSAGE_HEADER_BYTES;
    const topic = b.toString('utf8', q, q + tl);
    q += tl;
    const contentType = b.toString('utf8', q, q + cl);
    q += cl;
    const kind = b[p + M_KIND];
    const snapshot = kind === KIND_SNAPSHOT;
    const payload = Buffer.from(b.subarray(snapshot ? q + SNAPSHOT_PREFIX_BYTES : q, q + pl));
    const width = snapshot ? b.readUInt32LE(q) : undefined;
    const height = snapshot ? b.readUInt32LE(q + 4) : undefined;
    q += pl;
    const properties: [string, Buffer][] = [];
    const n = b.readUInt16LE(p + M_PROPERTY_COUNT);
    for (let k = 0; k < n; k++) {
      const kl = b.readUInt16LE(q);
      const key = b.toString('utf8', q + 2, q + 2 + kl);
      q += 2 + kl;
      const vl = b.readUInt32LE(q);
      properties.push([key, Buffer.from(b.subarray(q + 4, q + 4 + vl))]);
      q += 4 + vl;
    }
    const out: DecodedMessage = { timestamp: this.timestamp(i), kind, topic, contentType, payload, properties };
    if (snapshot) {
      out.width = width;
      out.height = height;
    }
    return out;
  }

  decodeAll(): DecodedMessage[] {
    const out: DecodedMessage[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.decode(i));
    return out;
  }
}

function checkProperties(bytes: Buffer, start: number, end: number, count: number, i: number): void {
  let q = start;
  for (let k = 0; k < count; k++) {
    if (q + 2 > end) throw new MessageBatchError(`message ${i}: property ${k} runs past the message`);
    q += 2 + bytes.readUInt16LE(q);
    if (q + 4 > end) throw new MessageBatchError(`message ${i}: property ${k} runs past the message`);
    q += 4 + bytes.readUInt32LE(q);
    if (q > end) throw new MessageBatchError(`message ${i}: property ${k} runs past the message`);
  }
}

/** Compares two 16-byte timestamps (u64 physical ns, u32 counter, u32 node; little-endian). */
export function compareTimestampBytes(a: Uint8Array, ap: number, b: Uint8Array, bp: number): number {
  // Most significant first: physical high word, low word, counter, node.
  for (const off of [4, 0, 8, 12]) {
    const x = (a[ap + off] | (a[ap + off + 1] << 8) | (a[ap + off + 2] << 16)) + a[ap + off + 3] * 0x1000000;
    const y = (b[bp + off] | (b[bp + off + 1] << 8) | (b[bp + off + 2] << 16)) + b[bp + off + 3] * 0x1000000;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Writes an HLC in the ABI's 16-byte layout. */
export function writeTimestamp(buf: Buffer, pos: number, t: Hlc): void {
  if (!isU64(t.physical)) throw new MessageBatchError(`physical time ${t.physical} ns is not a u64`);
  buf.writeBigUInt64LE(t.physical, pos);
  buf.writeUInt32LE(t.counter >>> 0, pos + 8);
  buf.writeUInt32LE(t.node >>> 0, pos + 12);
}

export function readTimestamp(buf: Uint8Array, pos: number): Hlc {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    physical: b.readBigUInt64LE(pos),
    counter: b.readUInt32LE(pos + 8),
    node: b.readUInt32LE(pos + 12),
  };
}

/**
 * Builds a batch by appending messages (whole message slices, or fields) into one growing
 * buffer. `finish()` patches the count and indexes the result without re-validating it.
 */
export class MessageBatchBuilder {
  private buf: Buffer;
  private pos = 4;
  private offsets: Uint32Array;
  count = 0;

  constructor(initialBytes = 4096, initialCount = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
    this.offsets = new Uint32Array(Math.max(2, initialCount + 1));
  }

  get byteLength(): number {
    return this.pos;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes, 4096));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    if (this.count + 2 > this.offsets.length) {
      const next = new Uint32Array(Math.max(this.offsets.length * 2, 256));
      next.set(this.offsets);
      this.offsets = next;
    }
  }

  /** Room for one message of `size` bytes, written by the caller at `pos` in `buf`. */
  reserveMessage(size: number): { buf: Buffer; pos: number } {
    this.reserve(size);
    const pos = this.pos;
    this.offsets[this.count++] = pos;
    this.pos = pos + size;
    return { buf: this.buf, pos };
  }

  /** Appends a whole message (its bytes as they are, header included). Returns its start. */
  append(message: Uint8Array): number {
    this.reserve(message.length);
    const at = this.pos;
    this.buf.set(message, at);
    this.offsets[this.count++] = at;
    this.pos += message.length;
    return at;
  }

  /** Appends message i of `batch`. */
  appendFrom(batch: MessageBatch, i: number): number {
    const start = batch.offsets[i];
    const end = batch.offsets[i + 1];
    this.reserve(end - start);
    const at = this.pos;
    batch.bytes.copy(this.buf, at, start, end);
    this.offsets[this.count++] = at;
    this.pos += end - start;
    return at;
  }

  /**
   * Appends messages from..to-1 of `batch` with one copy (they are contiguous there); the
   * cheap path for filters and branch arms that keep runs of messages.
   */
  appendRange(batch: MessageBatch, from: number, to: number): void {
    if (to <= from) return;
    const start = batch.offsets[from];
    const end = batch.offsets[to];
    const n = to - from;
    if (this.pos + (end - start) > this.buf.length || this.count + n + 1 > this.offsets.length) {
      this.reserveBulk(end - start, n);
    }
    const at = this.pos;
    batch.bytes.copy(this.buf, at, start, end);
    const shift = at - start;
    const offs = this.offsets;
    const src = batch.offsets;
    let c = this.count;
    for (let i = from; i < to; i++) offs[c++] = src[i] + shift;
    this.count = c;
    this.pos = at + (end - start);
  }

  private reserveBulk(bytes: number, messages: number): void {
    if (this.pos + bytes > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    if (this.count + messages + 1 > this.offsets.length) {
      const next = new Uint32Array(Math.max(this.offsets.length * 2, this.count + messages + 1));
      next.set(this.offsets);
      this.offsets = next;
    }
  }

  /** Appends message i of `batch` with a new timestamp. */
  appendWithTimestamp(batch: MessageBatch, i: number, ts: Uint8Array, tsPos: number): void {
    const at = this.appendFrom(batch, i) + M_PHYSICAL;
    // 16 bytes: a loop costs less than a subarray view and a set
    const buf = this.buf;
    for (let k = 0; k < 16; k++) buf[at + k] = ts[tsPos + k];
  }

  /**
   * Appends a message from parts: timestamp, kind, topic/content type as UTF-8 strings (short),
   * payload bytes and a pre-encoded properties section (`count` pairs).
   */
  appendParts(
    ts: Hlc,
    kind: number,
    topic: string,
    contentType: string,
    payload: Uint8Array,
    propertiesBytes: Uint8Array | null,
    propertyCount: number,
    /** Snapshots: the frame's width and height, written before `payload` (the frame). */
    frame?: { width: number; height: number },
  ): void {
    const tl = topic.length === 0 ? 0 : Buffer.byteLength(topic);
    const cl = contentType.length === 0 ? 0 : Buffer.byteLength(contentType);
    if (tl > 0xffff || cl > 0xffff) throw new MessageBatchError('topic or content type longer than 65535 bytes');
    if ((kind === KIND_SNAPSHOT) !== (frame !== undefined)) throw new MessageBatchError('a snapshot, and only a snapshot, has a width and height');
    const pl = propertiesBytes === null ? 0 : propertiesBytes.length;
    const prefix = frame === undefined ? 0 : SNAPSHOT_PREFIX_BYTES;
    const size = MESSAGE_HEADER_BYTES + tl + cl + prefix + payload.length + pl;
    this.reserve(size);
    const buf = this.buf;
    const p = this.pos;
    buf.writeUInt32LE(size, p + M_SIZE);
    buf.writeUInt32LE(prefix + payload.length, p + M_PAYLOAD_LEN);
    writeTimestamp(buf, p + M_PHYSICAL, ts);
    buf[p + M_KIND] = kind;
    buf[p + M_KIND + 1] = 0;
    buf.writeUInt16LE(tl, p + M_TOPIC_LEN);
    buf.writeUInt16LE(cl, p + M_CONTENT_TYPE_LEN);
    buf.writeUInt16LE(propertyCount, p + M_PROPERTY_COUNT);
    let q = p + MESSAGE_HEADER_BYTES;
    if (tl > 0) q += buf.write(topic, q, 'utf8');
    if (cl > 0) q += buf.write(contentType, q, 'utf8');
    if (frame !== undefined) {
      buf.writeUInt32LE(frame.width >>> 0, q);
      buf.writeUInt32LE(frame.height >>> 0, q + 4);
      q += SNAPSHOT_PREFIX_BYTES;
    }
    buf.set(payload, q);
    q += payload.length;
    if (propertiesBytes !== null) buf.set(propertiesBytes, q);
    this.offsets[this.count++] = p;
    this.pos = p + size;
  }

  appendFields(m: MessageFields): void {
    const props = m.properties ?? [];
    const kind = m.kind ?? KIND_MESSAGE;
    const frame = kind === KIND_SNAPSHOT ? { width: m.width ?? 0, height: m.height ?? 0 } : undefined;
    this.appendParts(m.timestamp, kind, m.topic ?? '', m.contentType ?? '', m.payload, props.length > 0 ? encodeProperties(props) : null, props.length, frame);
  }

  /** The batch so far; the builder starts over (its buffer now belongs to the batch). */
  finish(): MessageBatch {
    this.buf.writeUInt32LE(this.count, 0);
    this.offsets[this.count] = this.pos;
    const out = new MessageBatch(this.buf.subarray(0, this.pos), this.count, this.offsets.subarray(0, this.count + 1));
    // Most builders are used once: the next buffer is allocated only if another message comes.
    this.buf = NO_BYTES;
    this.offsets = NO_OFFSETS;
    this.pos = 4;
    this.count = 0;
    return out;
  }
}

const NO_BYTES = Buffer.alloc(4);
const NO_OFFSETS = new Uint32Array(2);

/** Encodes properties: count × (u16 key length, key, u32 value length, value). */
export function encodeProperties(props: readonly (readonly [string, Uint8Array | string])[]): Buffer {
  const parts: Buffer[] = [];
  const seen = new Set<string>();
  for (const [k, v] of props) {
    if (seen.has(k)) throw new MessageBatchError(`property "${k}" given twice`);
    seen.add(k);
    const kb = Buffer.from(k, 'utf8');
    if (kb.length > 0xffff) throw new MessageBatchError(`property key longer than 65535 bytes`);
    const vb = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    const head = Buffer.allocUnsafe(2 + kb.length + 4);
    head.writeUInt16LE(kb.length, 0);
    kb.copy(head, 2);
    head.writeUInt32LE(vb.length, 2 + kb.length);
    parts.push(head, Buffer.from(vb.buffer, vb.byteOffset, vb.byteLength));
  }
  return Buffer.concat(parts);
}
