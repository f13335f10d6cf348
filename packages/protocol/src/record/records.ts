/**
 * Records inside a batch: encoding (one allocation per uncompressed batch), decoding into views,
 * and a zero-allocation visitor.
 *
 * Record (Fluvio): varint length (of everything after it), attributes i8, varint timestamp_delta,
 * varint offset_delta, key (u8 0|1 present flag, then varint length + bytes), value (varint
 * length + bytes), varint header count, then per header (Kafka): varint key length + UTF-8 key,
 * varint value length + bytes. Fluvio always writes 0 headers and SmartModules built for Fluvio
 * do not parse header pairs: records with headers are an Eddy extension.
 */
import {
  BATCH_HEADER_SIZE,
  BATCH_PREAMBLE_SIZE,
  CorruptBatchError,
  COMPRESSION_MASK,
  MIN_RECORD_SIZE,
  NO_TIMESTAMP,
  readBatchHeader,
  recordsSection,
  writeBatchCrc,
  writeBatchHeader,
} from './batch.ts';
import { type CompressionCode, compress, isCompressionCode } from './compression.ts';
import {
  type Cursor,
  readVarint32,
  readVarint64,
  VarintError,
  varint32Size,
  varint64Size,
  writeVarint32,
  writeVarint64,
} from './varint.ts';

/** A record header: `[key, value]`. */
export type RecordHeader = readonly [key: string, value: Uint8Array];

/** A record to encode. */
export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array;
  /** Epoch ms; defaults to the batch's `timestamp` option (or now). */
  timestamp?: number;
  headers?: readonly RecordHeader[] | null;
}

/** A decoded record; key, value and header values are views into the section. */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer;
  headers: readonly (readonly [key: string, value: Buffer])[];
}

export interface SectionOptions {
  /** Base for timestamp deltas; defaults to the first record's timestamp. */
  firstTimestamp?: number;
  /** Timestamp for records without one; defaults to Date.now() (read once per call). */
  timestamp?: number;
}

export interface BatchOptions {
  baseOffset?: number;
  compression?: CompressionCode;
  /** Timestamp for records without one; defaults to Date.now() (read once per batch). */
  timestamp?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
}

export interface SectionBatchMeta {
  /** The base the section's timestamp deltas are relative to (required: a wrong base shifts every timestamp). */
  firstTimestamp: number;
  /** Defaults to the largest record timestamp in the section (found by scanning it). */
  maxTimestamp?: number;
  /** Defaults to the largest offset_delta in the section (-1 when empty). */
  lastOffsetDelta?: number;
  baseOffset?: number;
  compression?: CompressionCode;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
}

const EMPTY_HEADERS: readonly (readonly [string, Buffer])[] = Object.freeze([]);

// ---------------------------------------------------------------------------------------------
// Encoding

function headersBodySize(headers: readonly RecordHeader[]): number {
  let n = varint32Size(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const [k, v] = headers[i];
    const kl = Buffer.byteLength(k, 'utf8');
    n += varint32Size(kl) + kl + varint32Size(v.length) + v.length;
  }
  return n;
}

/** Size of a record after its length varint. */
function recordBodySize(r: RecordInput, tsDelta: number, offsetDelta: number): number {
  const key = r.key;
  const headers = r.headers;
  const vl = r.value.length;
  return (
    1 +
    varint64Size(tsDelta) +
    varint32Size(offsetDelta) +
    (key == null ? 1 : 1 + varint32Size(key.length) + key.length) +
    varint32Size(vl) +
    vl +
    (headers == null || headers.length === 0 ? 1 : headersBodySize(headers))
  );
}

interface TimeInfo {
  first: number;
  max: number;
  fallback: number;
}

/** Resolves first/max timestamps; reads the clock at most once. */
function timeInfo(records: ArrayLike<RecordInput>, firstOpt: number | undefined, fallbackOpt: number | undefined): TimeInfo {
  let fallback = fallbackOpt ?? NaN;
  const n = records.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    let t = records[i]?.timestamp;
    if (t === undefined) {
      if (fallback !== fallback) fallback = Date.now();
      t = fallback;
    }
    if (t > max) max = t;
  }
  // Unused by any record: only matters as the base of an empty batch.
  if (fallback !== fallback) fallback = NO_TIMESTAMP;
  let first = firstOpt;
  if (first === undefined) first = n === 0 ? fallback : (records[0].timestamp ?? fallback);
  if (n === 0) max = first;
  return { first, max, fallback };
}

/** Exact byte size of the records (without the u32 count). */
function recordsSize(records: ArrayLike<RecordInput>, t: TimeInfo): number {
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r == null || !(r.value instanceof Uint8Array)) {
      throw new TypeError(`record ${i}: value must be a Uint8Array`);
    }
    if (r.key != null && !(r.key instanceof Uint8Array)) {
      throw new TypeError(`record ${i}: key must be a Uint8Array, null or undefined`);
    }
    const body = recordBodySize(r, (r.timestamp ?? t.fallback) - t.first, i);
    size += varint32Size(body) + body;
  }
  return size;
}

/** Copies `src` to `buf` at `pos`; a plain loop beats TypedArray.set for short arrays. */
function copyBytes(buf: Buffer, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 64) {
    buf.set(src, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) buf[pos + i] = src[i];
  return pos + n;
}

/** Writes u32 count + records at `pos`; returns the end position. */
function writeRecords(buf: Buffer, pos: number, records: ArrayLike<RecordInput>, t: TimeInfo): number {
  const n = records.length;
  buf.writeUInt32BE(n, pos);
  pos += 4;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const tsDelta = (r.timestamp ?? t.fallback) - t.first;
    pos = writeVarint32(buf, pos, recordBodySize(r, tsDelta, i));
    buf[pos++] = 0; // attributes
    pos = writeVarint64(buf, pos, tsDelta);
    pos = writeVarint32(buf, pos, i);
    const key = r.key;
    if (key == null) {
      buf[pos++] = 0;
    } else {
      buf[pos++] = 1;
      pos = writeVarint32(buf, pos, key.length);
      pos = copyBytes(buf, pos, key);
    }
    const value = r.value;
    pos = writeVarint32(buf, pos, value.length);
    pos = copyBytes(buf, pos, value);
    const headers = r.headers;
    if (headers == null || headers.length === 0) {
      buf[pos++] = 0;
    } else {
      pos = writeVarint32(buf, pos, headers.length);
      for (let h = 0; h < headers.length; h++) {
        const [k, v] = headers[h];
        const kl = Buffer.byteLength(k, 'utf8');
        pos = writeVarint32(buf, pos, kl);
        pos += buf.write(k, pos, kl, 'utf8');
        pos = writeVarint32(buf, pos, v.length);
        buf.set(v, pos);
        pos += v.length;
      }
    }
  }
  return pos;
}

function checkCompression(code: number): CompressionCode {
  if (!isCompressionCode(code)) throw new RangeError(`unknown compression code ${code}`);
  return code;
}

function headerFields(
  o: BatchOptions | SectionBatchMeta,
  batchLength: number,
  compression: number,
  lastOffsetDelta: number,
  first: number,
  max: number,
) {
  return {
    baseOffset: o.baseOffset ?? 0,
    batchLength,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
    attributes: compression,
    lastOffsetDelta,
    firstTimestamp: first,
    maxTimestamp: max,
    producerId: o.producerId ?? -1,
    producerEpoch: o.producerEpoch ?? -1,
    firstSequence: o.firstSequence ?? -1,
  };
}

/** Builds a batch around an already-compressed (or uncompressed) section payload. */
function assemble(
  payload: Uint8Array,
  o: BatchOptions | SectionBatchMeta,
  code: number,
  lastOffsetDelta: number,
  first: number,
  max: number,
): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  writeBatchHeader(out, 0, headerFields(o, BATCH_HEADER_SIZE - BATCH_PREAMBLE_SIZE + payload.length, code, lastOffsetDelta, first, max));
  out.set(payload, BATCH_HEADER_SIZE);
  writeBatchCrc(out, 0);
  return out;
}

/**
 * Encodes records into one batch. Offset deltas are 0..n-1; timestamp deltas are relative to the
 * first record's timestamp; max_timestamp is the largest record timestamp. Uncompressed batches
 * are written into a single allocation.
 */
export function encodeBatch(records: ArrayLike<RecordInput>, opts: BatchOptions = {}): Buffer {
  const code = checkCompression(opts.compression ?? 0);
  const t = timeInfo(records, undefined, opts.timestamp);
  const n = records.length;
  const sectionSize = 4 + recordsSize(records, t);
  if (code === 0) {
    const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + sectionSize);
    writeBatchHeader(out, 0, headerFields(opts, BATCH_HEADER_SIZE - BATCH_PREAMBLE_SIZE + sectionSize, 0, n - 1, t.first, t.max));
    writeRecords(out, BATCH_HEADER_SIZE, records, t);
    writeBatchCrc(out, 0);
    return out;
  }
  const section = Buffer.allocUnsafe(sectionSize);
  writeRecords(section, 0, records, t);
  return assemble(compress(code, section), opts, code, n - 1, t.first, t.max);
}

/**
 * Encodes `u32 count + records` (the uncompressed records section). Offset deltas are 0..n-1;
 * timestamp deltas are relative to `opts.firstTimestamp` (default: the first record's).
 */
export function encodeRecordsSection(records: ArrayLike<RecordInput>, opts: SectionOptions = {}): Buffer {
  const t = timeInfo(records, opts.firstTimestamp, opts.timestamp);
  const out = Buffer.allocUnsafe(4 + recordsSize(records, t));
  writeRecords(out, 0, records, t);
  return out;
}

/**
 * Wraps an encoded records section (`u32 count + records`, e.g. SmartModule output) in a batch
 * header. `count` must equal the section's count. The section is parsed once to check it and,
 * unless given in `meta`, to find max_timestamp and last_offset_delta.
 */
export function encodeBatchFromSection(section: Uint8Array, count: number, meta: SectionBatchMeta): Buffer {
  const code = checkCompression(meta.compression ?? 0);
  const sec = Buffer.isBuffer(section) ? section : Buffer.from(section.buffer, section.byteOffset, section.byteLength);
  if (sec.length < 4) throw new CorruptBatchError('record', 0, `records section is ${sec.length} bytes, need at least 4`);
  const stored = sec.readUInt32BE(0);
  if (stored !== count) {
    throw new CorruptBatchError('count', 0, `records section holds ${stored} records, caller said ${count}`);
  }
  const first = meta.firstTimestamp;
  let max = meta.maxTimestamp;
  let lod = meta.lastOffsetDelta;
  if (max === undefined || lod === undefined) {
    let mt = count === 0 ? first : -Infinity;
    let md = -1;
    visitRecords(sec, 0, first, (r) => {
      if (r.timestamp > mt) mt = r.timestamp;
      if (r.offsetDelta > md) md = r.offsetDelta;
    });
    max ??= mt;
    lod ??= md;
  } else {
    visitRecords(sec, 0, first, noop);
  }
  return assemble(code === 0 ? sec : compress(code, sec), meta, code, lod, first, max);
}

function noop(): void {}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * The record the visitor is looking at. One instance is reused for the whole section: read what
 * you need inside the callback; `key()`, `value()`, `headers()` return views that stay valid.
 */
export class RecordView {
  /** The records section being read. */
  section: Buffer = Buffer.alloc(0);
  /** Index within the section. */
  index = 0;
  offset = 0;
  offsetDelta = 0;
  timestamp = 0;
  timestampDelta = 0;
  attributes = 0;
  /** Start of the record (its length varint) and end, within `section`. */
  start = 0;
  end = 0;
  /** -1 for a null key. */
  keyStart = -1;
  keyEnd = -1;
  valueStart = 0;
  valueEnd = 0;
  headerCount = 0;
  /** Start of the first header pair. */
  headersStart = 0;

  get hasKey(): boolean {
    return this.keyStart >= 0;
  }

  key(): Buffer | null {
    return this.keyStart < 0 ? null : this.section.subarray(this.keyStart, this.keyEnd);
  }

  value(): Buffer {
    return this.section.subarray(this.valueStart, this.valueEnd);
  }

  headers(): readonly (readonly [string, Buffer])[] {
    if (this.headerCount === 0) return EMPTY_HEADERS;
    const s = this.section;
    const cur: Cursor = { pos: this.headersStart };
    const out: (readonly [string, Buffer])[] = [];
    for (let i = 0; i < this.headerCount; i++) {
      const kl = readVarint32(s, cur);
      const k = s.toString('utf8', cur.pos, cur.pos + kl);
      cur.pos += kl;
      const vl = readVarint32(s, cur);
      out.push([k, s.subarray(cur.pos, cur.pos + vl)]);
      cur.pos += vl;
    }
    return out;
  }
}

/**
 * A record field's zigzag varint with the one- and two-byte cases (most fields) inline; longer
 * ones go to readVarint64 (`wide`: timestamp and offset deltas) or readVarint32 (lengths, counts).
 */
function fastVarint(buf: Buffer, cur: Cursor, wide: boolean): number {
  const p = cur.pos;
  if (p + 1 < buf.length) {
    const b0 = buf[p];
    if (b0 < 0x80) {
      cur.pos = p + 1;
      return (b0 >>> 1) ^ -(b0 & 1);
    }
    const b1 = buf[p + 1];
    if (b1 < 0x80) {
      const u = (b0 & 0x7f) | (b1 << 7);
      cur.pos = p + 2;
      return (u >>> 1) ^ -(u & 1);
    }
  }
  return wide ? readVarint64(buf, cur) : readVarint32(buf, cur);
}

function corrupt(i: number, at: number, base: number, what: string, cause?: unknown): CorruptBatchError {
  return new CorruptBatchError('record', base + at, `record ${i} at byte ${base + at}: ${what}`, cause === undefined ? undefined : { cause });
}

/**
 * Reads a records section (`u32 count + records`; a Buffer or any Uint8Array view) one record at
 * a time: `reset()` on a section, then each `next()` that returns true leaves the cursor (a
 * RecordView) on the next record. Offsets are `baseOffset + offset_delta`, timestamps
 * `firstTimestamp + timestamp_delta`. Throws CorruptBatchError (kind 'record' or 'count') on
 * malformed input; `positionBase` is added to reported byte positions. Allocates nothing per record.
 */
export class RecordCursor extends RecordView {
  /** Records the section holds (its count field). */
  count = 0;
  private nextIndex = 0;
  private len = 0;
  private baseOffset = 0;
  private firstTimestamp = 0;
  private positionBase = 0;
  private readonly cur: Cursor = { pos: 4 };

  /** Starts reading `input`; throws when its count cannot fit its length. */
  reset(input: Uint8Array, baseOffset: number, firstTimestamp: number, positionBase = 0): this {
    const section = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const len = section.length;
    if (len < 4) {
      throw new CorruptBatchError('record', positionBase, `records section at byte ${positionBase} is ${len} bytes, need at least 4`);
    }
    const count = section.readUInt32BE(0);
    if (count * MIN_RECORD_SIZE > len - 4) {
      throw new CorruptBatchError('count', positionBase, `records section at byte ${positionBase} claims ${count} records in ${len - 4} bytes`);
    }
    this.section = section;
    this.len = len;
    this.count = count;
    this.nextIndex = 0;
    this.baseOffset = baseOffset;
    this.firstTimestamp = firstTimestamp;
    this.positionBase = positionBase;
    this.cur.pos = 4;
    return this;
  }

  /** Moves to the next record; false after the last one (having checked that nothing trails it). */
  next(): boolean {
    const i = this.nextIndex;
    const section = this.section;
    const cur = this.cur;
    const len = this.len;
    const positionBase = this.positionBase;
    if (i >= this.count) {
      if (i === this.count) {
        this.nextIndex = i + 1;
        if (cur.pos !== len) {
          throw new CorruptBatchError('record', positionBase + cur.pos, `records section has ${len - cur.pos} trailing bytes after ${this.count} records at byte ${positionBase + cur.pos}`);
        }
      }
      return false;
    }
    try {
      const start = cur.pos;
      const rl = fastVarint(section, cur, false);
      const end = cur.pos + rl;
      if (rl < 0 || end > len) throw corrupt(i, start, positionBase, `length ${rl} runs past end of section`);
      this.attributes = section[cur.pos++];
      const td = fastVarint(section, cur, true);
      const od = fastVarint(section, cur, true);
      const flag = section[cur.pos++];
      if (flag === 0) {
        this.keyStart = -1;
        this.keyEnd = -1;
      } else if (flag === 1) {
        const kl = readVarint32(section, cur);
        if (kl < 0 || cur.pos + kl > end) throw corrupt(i, start, positionBase, `key length ${kl} runs past the record`);
        this.keyStart = cur.pos;
        this.keyEnd = cur.pos += kl;
      } else {
        throw corrupt(i, start, positionBase, `key present flag is ${flag}, expected 0 or 1`);
      }
      const vl = fastVarint(section, cur, false);
      if (vl < 0 || cur.pos + vl > end) throw corrupt(i, start, positionBase, `value length ${vl} runs past the record`);
      this.valueStart = cur.pos;
      this.valueEnd = cur.pos += vl;
      const hc = fastVarint(section, cur, false);
      if (hc < 0) throw corrupt(i, start, positionBase, `header count ${hc}`);
      this.headersStart = cur.pos;
      for (let h = 0; h < hc; h++) {
        const kl = readVarint32(section, cur);
        if (kl < 0 || cur.pos + kl > end) throw corrupt(i, start, positionBase, `header ${h} key length ${kl} runs past the record`);
        cur.pos += kl;
        const hl = readVarint32(section, cur);
        if (hl < 0 || cur.pos + hl > end) throw corrupt(i, start, positionBase, `header ${h} value length ${hl} runs past the record`);
        cur.pos += hl;
      }
      if (cur.pos !== end) throw corrupt(i, start, positionBase, `fields end at byte ${positionBase + cur.pos}, length says ${positionBase + end}`);
      this.index = i;
      this.start = start;
      this.end = end;
      this.headerCount = hc;
      this.offsetDelta = od;
      this.offset = this.baseOffset + od;
      this.timestampDelta = td;
      this.timestamp = this.firstTimestamp + td;
    } catch (err) {
      this.nextIndex = this.count + 1; // a broken section ends here
      if (err instanceof VarintError) throw corrupt(i, err.position, positionBase, err.message, err);
      throw err;
    }
    this.nextIndex = i + 1;
    return true;
  }
}

/**
 * Walks the section (`u32 count + records`; a Buffer or any Uint8Array view) calling `visitor` with a reused RecordView; stops
 * early when it returns false. Offsets are `baseOffset + offset_delta`, timestamps
 * `firstTimestamp + timestamp_delta`. Throws CorruptBatchError (kind 'record' or 'count') on
 * malformed input; `positionBase` is added to reported byte positions. Returns records visited.
 */
export function visitRecords(
  input: Uint8Array,
  baseOffset: number,
  firstTimestamp: number,
  visitor: (record: RecordView) => void | boolean,
  positionBase = 0,
): number {
  const c = new RecordCursor().reset(input, baseOffset, firstTimestamp, positionBase);
  let n = 0;
  while (c.next()) {
    n++;
    if (visitor(c) === false) return n;
  }
  return n;
}

/**
 * Decodes the records of the batch at `pos` (decompressing if needed). key/value are views into
 * the batch (uncompressed) or into the decompressed section. Does not check the CRC: run
 * validateBatches on untrusted input first.
 */
export function decodeRecords(buf: Buffer, pos: number): DecodedRecord[] {
  const h = readBatchHeader(buf, pos);
  const section = recordsSection(buf, pos);
  const out: DecodedRecord[] = [];
  const base = (h.attributes & COMPRESSION_MASK) === 0 ? pos + BATCH_HEADER_SIZE : 0;
  visitRecords(
    section,
    h.baseOffset,
    h.firstTimestamp,
    (r) => {
      out.push({ offset: r.offset, timestamp: r.timestamp, key: r.key(), value: r.value(), headers: r.headers() });
    },
    base,
  );
  return out;
}
