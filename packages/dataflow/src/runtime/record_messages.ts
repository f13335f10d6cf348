/**
 * Between the log and the graph: stored record batches become messages (event time = the
 * record's timestamp, topic = the source topic, headers = properties, header `content-type` =
 * content type), and sink messages become one record batch (value = payload, timestamp = the
 * message's physical time, properties = headers). One pass each, no per-record objects.
 *
 * Snapshots (image frames) travel as records too: a record with a `snapshot-format` header is a
 * snapshot whose frame is the value, its width and height in the `snapshot-width` and
 * `snapshot-height` headers (decimal); a sink snapshot becomes such a record.
 */
import {
  BatchBuilder, RecordCursor, batchBaseOffset, batchFirstTimestamp, forEachBatch,
  type CompressionCode, type RecordHeader,
} from '@eddy/protocol';
import {
  headersBytes, encodeBatchFromSection, varint32Size, varint64Size, writeVarint32, writeVarint64,
  recordsSection,
} from '@eddy/protocol/internal';
import {
  MESSAGE_HEADER_BYTES,
  M_CONTENT_TYPE_LEN,
  M_KIND,
  M_PAYLOAD_LEN,
  M_PHYSICAL,
  M_PROPERTY_COUNT,
  M_TOPIC_LEN,
  KIND_MESSAGE,
  KIND_SNAPSHOT,
  SNAPSHOT_PREFIX_BYTES,
  MessageBatch,
  MessageBatchBuilder,
} from '../abi/message_batch.ts';
import { msAt, writeMsSub } from '../time/nanos.ts';

export const CONTENT_TYPE_HEADER = 'content-type';
export const SNAPSHOT_FORMAT_HEADER = 'snapshot-format';
export const SNAPSHOT_WIDTH_HEADER = 'snapshot-width';
export const SNAPSHOT_HEIGHT_HEADER = 'snapshot-height';

export class SnapshotRecordError extends Error {
  override readonly name = 'SnapshotRecordError';
}

/** A snapshot-width/-height header's value: a decimal u32 (anything else is refused). */
function frameDimension(name: string, v: Buffer | null, offset: number): number {
  const text = v === null ? '' : v.toString('latin1');
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > 0xffffffff) {
    throw new SnapshotRecordError(`record at offset ${offset} has a snapshot-format header but ${v === null ? `no ${name} header` : `${name} ${JSON.stringify(text)}, not a decimal u32`}`);
  }
  return Number(text);
}

/** Snapshot headers: set when writing a snapshot record, dropped from properties when reading one. */
function isSnapshotHeader(k: string): boolean {
  return k === SNAPSHOT_FORMAT_HEADER || k === SNAPSHOT_WIDTH_HEADER || k === SNAPSHOT_HEIGHT_HEADER;
}

export interface SourceBatches {
  messages: MessageBatch;
  /** The offset after the last record read. */
  nextOffset: number;
}

/**
 * Messages from stored record batches (`bytes`: whole batches back to back), skipping records
 * before `fromOffset`. `node` goes into every timestamp.
 */
export function messagesFromRecordBatches(bytes: Buffer, fromOffset: number, topic: string, node: number, builder = new MessageBatchBuilder(bytes.length * 2 + 4096)): SourceBatches {
  const nextOffset = appendRecordMessages(builder, bytes, fromOffset, topic, node);
  return { messages: builder.finish(), nextOffset };
}

/**
 * Appends the messages of stored record batches to `builder` (several sources can fill one
 * batch); returns the offset after the last record read.
 */
export function appendRecordMessages(builder: MessageBatchBuilder, bytes: Buffer, fromOffset: number, topic: string, node: number): number {
  const topicBytes = Buffer.from(topic, 'utf8');
  // Header and topic of a record without headers, written once: each such record is one copy of
  // it plus its value, with size, payload length and time patched in (DataView: no bounds checks
  // per field as Buffer's write*LE do).
  const template = Buffer.alloc(MESSAGE_HEADER_BYTES + topicBytes.length);
  template.writeUInt32LE(node, M_PHYSICAL + 12);
  template[M_KIND] = KIND_MESSAGE;
  template.writeUInt16LE(topicBytes.length, M_TOPIC_LEN);
  topicBytes.copy(template, MESSAGE_HEADER_BYTES);
  const cursor = new RecordCursor();
  const w: Writer = { buf: EMPTY, view: new DataView(EMPTY.buffer, EMPTY.byteOffset, 0) };
  let nextOffset = fromOffset;
  forEachBatch(bytes, (pos) => {
    const section = recordsSection(bytes, pos);
    cursor.reset(section, batchBaseOffset(bytes, pos), batchFirstTimestamp(bytes, pos));
    while (cursor.next()) {
      if (cursor.offset < fromOffset) continue;
      if (cursor.headerCount === 0) appendPlainRecord(builder, cursor, template, w);
      else appendRecord(builder, cursor, topicBytes, node);
      nextOffset = cursor.offset + 1;
    }
  });
  return nextOffset;
}

const EMPTY = Buffer.alloc(0);

/** The builder's current buffer and a DataView over it (renewed when the builder grows). */
interface Writer {
  buf: Buffer;
  view: DataView;
}

function appendPlainRecord(builder: MessageBatchBuilder, r: RecordCursor, template: Buffer, w: Writer): void {
  const vl = r.valueEnd - r.valueStart;
  const size = template.length + vl;
  const msg = builder.reserveMessage(size);
  const buf = msg.buf;
  if (buf !== w.buf) {
    w.buf = buf;
    w.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }
  const p = msg.pos;
  template.copy(buf, p);
  const v = w.view;
  v.setUint32(p, size, true);
  v.setUint32(p + M_PAYLOAD_LEN, vl, true);
  const t = r.timestamp;
  writeMsSub(buf, p + M_PHYSICAL, t, 0); // record ms → ns, exactly
  r.section.copy(buf, p + template.length, r.valueStart, r.valueEnd);
}

function appendRecord(builder: MessageBatchBuilder, r: RecordCursor, topic: Buffer, node: number): void {
  const section = r.section;
  const vl = r.valueEnd - r.valueStart;
  let contentType: Buffer | null = null;
  let format: Buffer | null = null;
  let width: Buffer | null = null;
  let height: Buffer | null = null;
  let propBytes = 0;
  let propCount = 0;
  const headers = r.headerCount > 0 ? r.headers() : null;
  if (headers !== null) {
    for (const [k, v] of headers) {
      if (k === CONTENT_TYPE_HEADER) contentType = v;
      else if (k === SNAPSHOT_FORMAT_HEADER) format = v;
      else if (k === SNAPSHOT_WIDTH_HEADER) width = v;
      else if (k === SNAPSHOT_HEIGHT_HEADER) height = v;
      else {
        propBytes += 2 + Buffer.byteLength(k) + 4 + v.length;
        propCount++;
      }
    }
  }
  const snapshot = format !== null;
  if (!snapshot) {
    // not a snapshot: its width/height headers are ordinary properties
    for (const v of [width, height]) if (v !== null) propCount++;
    if (width !== null) propBytes += 2 + SNAPSHOT_WIDTH_HEADER.length + 4 + width.length;
    if (height !== null) propBytes += 2 + SNAPSHOT_HEIGHT_HEADER.length + 4 + height.length;
  }
  // A snapshot's format stands where a message's content type does.
  const ctBytes = snapshot ? format : contentType;
  const w = snapshot ? frameDimension(SNAPSHOT_WIDTH_HEADER, width, r.offset) : 0;
  const h = snapshot ? frameDimension(SNAPSHOT_HEIGHT_HEADER, height, r.offset) : 0;
  const prefix = snapshot ? SNAPSHOT_PREFIX_BYTES : 0;
  const cl = ctBytes === null ? 0 : ctBytes.length;
  const size = MESSAGE_HEADER_BYTES + topic.length + cl + prefix + vl + propBytes;
  const msg = builder.reserveMessage(size);
  const buf = msg.buf;
  const p = msg.pos;
  buf.writeUInt32LE(size, p);
  buf.writeUInt32LE(prefix + vl, p + M_PAYLOAD_LEN);
  const t = r.timestamp;
  writeMsSub(buf, p + M_PHYSICAL, t, 0); // record ms → ns, exactly
  buf.writeUInt32LE(0, p + M_PHYSICAL + 8);
  buf.writeUInt32LE(node, p + M_PHYSICAL + 12);
  buf[p + M_KIND] = snapshot ? KIND_SNAPSHOT : KIND_MESSAGE;
  buf[p + M_KIND + 1] = 0;
  buf.writeUInt16LE(topic.length, p + M_TOPIC_LEN);
  buf.writeUInt16LE(cl, p + M_CONTENT_TYPE_LEN);
  buf.writeUInt16LE(propCount, p + M_PROPERTY_COUNT);
  let q = p + MESSAGE_HEADER_BYTES;
  q += topic.copy(buf, q);
  if (ctBytes !== null) q += ctBytes.copy(buf, q);
  if (snapshot) {
    buf.writeUInt32LE(w, q);
    buf.writeUInt32LE(h, q + 4);
    q += SNAPSHOT_PREFIX_BYTES;
  }
  q += section.copy(buf, q, r.valueStart, r.valueEnd);
  if (headers !== null) {
    for (const [k, v] of headers) {
      if (k === CONTENT_TYPE_HEADER || k === SNAPSHOT_FORMAT_HEADER || (snapshot && isSnapshotHeader(k))) continue;
      const kl = buf.write(k, q + 2, 'utf8');
      buf.writeUInt16LE(kl, q);
      q += 2 + kl;
      buf.writeUInt32LE(v.length, q);
      q += 4 + v.copy(buf, q + 4);
    }
  }
}

export interface SinkBatchOptions {
  compression?: CompressionCode;
  /** Idempotent-producer fields: the graph instance and the first output's sequence number. */
  producerId?: number;
  firstSequence?: number;
}

/** One record batch (as parts to write back to back) holding every message of `batch`. */
export function recordBatchFromMessages(batch: MessageBatch, opts: SinkBatchOptions = {}): Buffer[] {
  const plain = plainSection(batch);
  if (plain !== null) {
    return [encodeBatchFromSection(plain.section, batch.count, {
      firstTimestamp: plain.firstTimestamp,
      maxTimestamp: plain.maxTimestamp,
      lastOffsetDelta: batch.count - 1,
      compression: opts.compression,
      producerId: opts.producerId,
      producerEpoch: 0,
      firstSequence: opts.firstSequence,
    })];
  }
  const b = new BatchBuilder({ timestamp: 0, initialBytes: batch.bytes.length + 256 });
  const bytes = batch.bytes;
  const NONE: RecordHeader[] = [];
  for (let i = 0; i < batch.count; i++) {
    const p = batch.offsets[i];
    const tl = bytes.readUInt16LE(p + M_TOPIC_LEN);
    const cl = bytes.readUInt16LE(p + M_CONTENT_TYPE_LEN);
    const pl = bytes.readUInt32LE(p + M_PAYLOAD_LEN);
    const pc = bytes.readUInt16LE(p + M_PROPERTY_COUNT);
    const ts = readPhysical(bytes, p);
    const payloadStart = p + MESSAGE_HEADER_BYTES + tl + cl;
    const snapshot = bytes[p + M_KIND] === KIND_SNAPSHOT;
    const valueStart = snapshot ? payloadStart + SNAPSHOT_PREFIX_BYTES : payloadStart;
    const value = bytes.subarray(valueStart, payloadStart + pl);
    let headers: RecordHeader[] = NONE;
    if (cl > 0 || pc > 0 || snapshot) {
      headers = [];
      if (snapshot) {
        headers.push(
          [SNAPSHOT_FORMAT_HEADER, bytes.subarray(p + MESSAGE_HEADER_BYTES + tl, payloadStart)],
          [SNAPSHOT_WIDTH_HEADER, Buffer.from(String(bytes.readUInt32LE(payloadStart)))],
          [SNAPSHOT_HEIGHT_HEADER, Buffer.from(String(bytes.readUInt32LE(payloadStart + 4)))],
        );
      } else if (cl > 0) headers.push([CONTENT_TYPE_HEADER, bytes.subarray(p + MESSAGE_HEADER_BYTES + tl, payloadStart)]);
      let q = payloadStart + pl;
      for (let k = 0; k < pc; k++) {
        const kl = bytes.readUInt16LE(q);
        const key = bytes.toString('utf8', q + 2, q + 2 + kl);
        q += 2 + kl;
        const vl = bytes.readUInt32LE(q);
        headers.push([key, bytes.subarray(q + 4, q + 4 + vl)]);
        q += 4 + vl;
      }
    }
    b.append(null, -1, value, value.length, ts, headers.length > 0 ? headers : null, headers.length > 0 ? headersBytes(headers) : 0);
  }
  return b.finish({ compression: opts.compression, producerId: opts.producerId, firstSequence: opts.firstSequence, producerEpoch: 0 });
}

/**
 * The records section for messages without content type or properties (the common case),
 * written in one pass into one buffer; null when some message has headers to carry.
 */
function plainSection(batch: MessageBatch): { section: Buffer; firstTimestamp: number; maxTimestamp: number } | null {
  const bytes = batch.bytes;
  const n = batch.count;
  if (n === 0) return null;
  let size = 4;
  const first = readPhysical(bytes, batch.offsets[0]);
  let max = first;
  for (let i = 0; i < n; i++) {
    const p = batch.offsets[i];
    if ((bytes[p + M_CONTENT_TYPE_LEN] | bytes[p + M_CONTENT_TYPE_LEN + 1] | bytes[p + M_PROPERTY_COUNT] | bytes[p + M_PROPERTY_COUNT + 1]) !== 0) return null;
    if (bytes[p + M_KIND] === KIND_SNAPSHOT) return null; // its width and height become headers
    const ts = readPhysical(bytes, p);
    if (ts > max) max = ts;
    const pl = bytes.readUInt32LE(p + M_PAYLOAD_LEN);
    const body = 1 + varint64Size(ts - first) + varint32Size(i) + 1 + varint32Size(pl) + pl + 1;
    size += varint32Size(body) + body;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(n, 0);
  let q = 4;
  for (let i = 0; i < n; i++) {
    const p = batch.offsets[i];
    const ts = readPhysical(bytes, p);
    const pl = bytes.readUInt32LE(p + M_PAYLOAD_LEN);
    const delta = ts - first;
    const body = 1 + varint64Size(delta) + varint32Size(i) + 1 + varint32Size(pl) + pl + 1;
    q = writeVarint32(out, q, body);
    out[q++] = 0; // attributes
    q = writeVarint64(out, q, delta);
    q = writeVarint32(out, q, i); // offset delta
    out[q++] = 0; // no key (Fluvio: an option flag byte, 0 = none)
    q = writeVarint32(out, q, pl);
    const start = p + MESSAGE_HEADER_BYTES + bytes.readUInt16LE(p + M_TOPIC_LEN);
    q += bytes.copy(out, q, start, start + pl);
    out[q++] = 0; // no headers
  }
  return { section: out, firstTimestamp: first, maxTimestamp: max };
}

/** A message's record timestamp: its physical ns floored to ms. */
function readPhysical(bytes: Buffer, p: number): number {
  return msAt(bytes, p + M_PHYSICAL);
}
