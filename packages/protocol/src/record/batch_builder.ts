/**
 * Builds one record batch by writing each record's bytes as it is appended (one pass, no
 * per-record object kept): the records go into segments (one when the first segment was sized
 * right), the header, count and CRC are patched in when the batch is finished. The finished
 * batch is a list of parts to write back to back (writev), never joined into one buffer.
 */
import { BATCH_HEADER_SIZE, BATCH_PREAMBLE_SIZE, BatchLayout, NO_TIMESTAMP, writeBatchHeader } from './batch.ts';
import { type CompressionCode, compress, isCompressionCode } from './compression.ts';
import { crc32c } from './crc32c.ts';
import type { RecordHeader } from './records.ts';
import { varint32Size, varint64Size, writeVarint32, writeVarint64 } from './varint.ts';

/** Header (57) + record count (4): the bytes of an empty uncompressed batch. */
export const BATCH_START_BYTES = BATCH_HEADER_SIZE + 4;

export interface BatchBuilderOptions {
  /** Timestamp of records appended without one (epoch ms). */
  timestamp: number;
  /** Size of the first segment (grown by further segments as needed). Default 4 KiB. */
  initialBytes?: number;
  /** Largest segment allocated when growing (a single larger record gets its own). Default 1 MiB. */
  maxSegmentBytes?: number;
  /** Where segments come from (a pool); default Buffer.allocUnsafe. */
  allocate?: (bytes: number) => Buffer;
}

export interface FinishOptions {
  compression?: CompressionCode;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
}

/** Bytes of a header list after the record's header count. */
export function headersBytes(headers: readonly RecordHeader[]): number {
  let n = 0;
  for (let i = 0; i < headers.length; i++) {
    const [k, v] = headers[i];
    const kl = Buffer.byteLength(k, 'utf8');
    n += varint32Size(kl) + kl + varint32Size(v.length) + v.length;
  }
  return n;
}

const allocUnsafe = (n: number): Buffer => Buffer.allocUnsafe(n);

export class BatchBuilder {
  /** Records appended. */
  count = 0;
  /** Exact bytes of the uncompressed batch so far (header, count and records). */
  size = BATCH_START_BYTES;
  /** Timestamp of records appended without one. */
  readonly timestamp: number;
  /** Base of the timestamp deltas: the first record's timestamp. */
  firstTimestamp = NaN;
  maxTimestamp = -Infinity;
  /** Segments filled so far, in order (the current one last); the first starts with the header. */
  readonly segments: Buffer[] = [];
  private buf: Buffer;
  private pos = BATCH_START_BYTES;
  private readonly maxSegment: number;
  private readonly allocate: (bytes: number) => Buffer;
  private finished: Buffer[] | null = null;

  constructor(opts: BatchBuilderOptions) {
    this.timestamp = opts.timestamp;
    this.maxSegment = Math.max(BATCH_START_BYTES, opts.maxSegmentBytes ?? 1024 * 1024);
    this.allocate = opts.allocate ?? allocUnsafe;
    this.buf = this.allocate(Math.max(BATCH_START_BYTES, Math.min(this.maxSegment, opts.initialBytes ?? 4096)));
    this.segments.push(this.buf);
  }

  /**
   * Exact bytes the next record adds: `keyLength` -1 for a null key, `headerBytes` from
   * headersBytes() (0 with no headers), `timestamp` NaN for the batch's.
   */
  recordBytes(keyLength: number, valueLength: number, timestamp: number, headerCount: number, headerBytes: number): number {
    const body = this.bodyBytes(keyLength, valueLength, timestamp, headerCount, headerBytes);
    return varint32Size(body) + body;
  }

  /** The record's size after its length varint (what append() takes as `bodyBytes`). */
  bodyBytes(keyLength: number, valueLength: number, timestamp: number, headerCount: number, headerBytes: number): number {
    const ts = timestamp === timestamp ? timestamp : this.timestamp;
    const tsDelta = this.count === 0 ? 0 : ts - this.firstTimestamp;
    const index = this.count;
    return (
      1 +
      (tsDelta < 64 && tsDelta > -65 ? 1 : varint64Size(tsDelta)) +
      (index < 64 ? 1 : varint32Size(index)) +
      (keyLength < 0 ? 1 : 1 + varint32Size(keyLength) + keyLength) +
      varint32Size(valueLength) +
      valueLength +
      (headerCount === 0 ? 1 : varint32Size(headerCount) + headerBytes)
    );
  }

  /**
   * Appends a record (key and value as bytes or strings written as UTF-8); `keyLength` and
   * `valueLength` are their byte lengths. `bodyBytes`, when known, is what bodyBytes() said for
   * it (saves computing it again).
   */
  append(
    key: Uint8Array | string | null,
    keyLength: number,
    value: Uint8Array | string,
    valueLength: number,
    timestamp: number,
    headers: readonly RecordHeader[] | null,
    headerBytes: number,
    bodyBytes = -1,
  ): void {
    if (this.finished !== null) throw new Error('BatchBuilder: append after finish');
    const ts = timestamp === timestamp ? timestamp : this.timestamp;
    const hc = headers === null ? 0 : headers.length;
    const body = bodyBytes >= 0 ? bodyBytes : this.bodyBytes(keyLength, valueLength, ts, hc, headerBytes);
    if (this.count === 0) this.firstTimestamp = ts;
    const total = varint32Size(body) + body;
    let buf = this.buf;
    let pos = this.pos;
    if (pos + total > buf.length) {
      this.segments[this.segments.length - 1] = buf.subarray(0, pos);
      // Grow by doubling what the batch holds so far, so a batch whose first segment was too
      // small needs few segments; a record larger than that gets one of its own.
      const want = Math.min(this.maxSegment, Math.max(buf.length * 2, this.size));
      buf = this.allocate(Math.max(total, want));
      this.segments.push(buf);
      this.buf = buf;
      pos = 0;
    }
    pos = writeVarint32(buf, pos, body);
    buf[pos++] = 0; // attributes
    const tsDelta = ts - this.firstTimestamp;
    pos = (tsDelta | 0) === tsDelta && tsDelta < 64 && tsDelta > -65 ? (buf[pos] = (tsDelta << 1) ^ (tsDelta >> 31), pos + 1) : writeVarint64(buf, pos, tsDelta);
    const index = this.count;
    pos = index < 64 ? (buf[pos] = index << 1, pos + 1) : writeVarint32(buf, pos, index);
    if (key === null) {
      buf[pos++] = 0;
    } else {
      buf[pos++] = 1;
      pos = writeVarint32(buf, pos, keyLength);
      pos = writeBytes(buf, pos, key, keyLength);
    }
    pos = writeVarint32(buf, pos, valueLength);
    pos = writeBytes(buf, pos, value, valueLength);
    if (hc === 0) {
      buf[pos++] = 0;
    } else {
      pos = writeVarint32(buf, pos, hc);
      for (let h = 0; h < hc; h++) {
        const [k, v] = headers![h];
        const kl = Buffer.byteLength(k, 'utf8');
        pos = writeVarint32(buf, pos, kl);
        pos += buf.write(k, pos, kl, 'utf8');
        pos = writeVarint32(buf, pos, v.length);
        buf.set(v, pos);
        pos += v.length;
      }
    }
    this.pos = pos;
    this.count = index + 1;
    this.size += total;
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
  }

  /** The uncompressed records section (u32 count + records), joined when it spans segments. */
  section(): Buffer {
    this.writeCount();
    const segs = this.usedSegments();
    if (segs.length === 1) return segs[0].subarray(BATCH_HEADER_SIZE);
    return Buffer.concat([segs[0].subarray(BATCH_HEADER_SIZE), ...segs.slice(1)], this.size - BATCH_HEADER_SIZE);
  }

  /**
   * The wire batch as parts (header in the first). Uncompressed: the segments themselves;
   * compressed: one new buffer. Idempotent; nothing can be appended afterwards.
   */
  finish(opts: FinishOptions = {}): Buffer[] {
    if (this.finished !== null) return this.finished;
    const code = opts.compression ?? 0;
    if (!isCompressionCode(code)) throw new RangeError(`unknown compression code ${code}`);
    const first = this.count === 0 ? (this.timestamp === this.timestamp ? this.timestamp : NO_TIMESTAMP) : this.firstTimestamp;
    const max = this.count === 0 ? first : this.maxTimestamp;
    if (code !== 0) {
      const payload = compress(code, this.section());
      const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
      this.header(out, opts, BATCH_HEADER_SIZE + payload.length, code, first, max);
      out.set(payload, BATCH_HEADER_SIZE);
      out.writeUInt32BE(crc32c(out.subarray(BatchLayout.attributes)), BatchLayout.crc);
      this.finished = [out];
      return this.finished;
    }
    this.writeCount();
    const segs = this.usedSegments();
    const head = segs[0];
    this.header(head, opts, this.size, 0, first, max);
    let crc = crc32c(head.subarray(BatchLayout.attributes));
    for (let i = 1; i < segs.length; i++) crc = crc32c(segs[i], crc);
    head.writeUInt32BE(crc, BatchLayout.crc);
    this.finished = segs;
    return segs;
  }

  private header(out: Buffer, o: FinishOptions, total: number, code: number, first: number, max: number): void {
    writeBatchHeader(out, 0, {
      baseOffset: o.baseOffset ?? 0,
      batchLength: total - BATCH_PREAMBLE_SIZE,
      partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
      attributes: code,
      lastOffsetDelta: this.count - 1,
      firstTimestamp: first,
      maxTimestamp: max,
      producerId: o.producerId ?? -1,
      producerEpoch: o.producerEpoch ?? -1,
      firstSequence: o.firstSequence ?? -1,
    });
  }

  private writeCount(): void {
    this.segments[0].writeUInt32BE(this.count, BATCH_HEADER_SIZE);
  }

  private usedSegments(): Buffer[] {
    const segs = this.segments;
    segs[segs.length - 1] = this.buf.subarray(0, this.pos);
    return segs;
  }

}

/** Copies bytes (a plain loop beats TypedArray.set for short arrays) or writes a string as UTF-8. */
function writeBytes(buf: Buffer, pos: number, src: Uint8Array | string, n: number): number {
  if (typeof src === 'string') {
    buf.write(src, pos, n, 'utf8');
    return pos + n;
  }
  if (n > 64) {
    buf.set(src, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) buf[pos + i] = src[i];
  return pos + n;
}
