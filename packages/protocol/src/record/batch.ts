/**
 * Record batch header layout and whole-batch operations over a Buffer view (no copies).
 *
 * Layout (big-endian, Kafka v2 / Fluvio):
 *
 *   0  base_offset i64            27 first_timestamp i64
 *   8  batch_len i32              35 max_timestamp i64
 *  12  partition_leader_epoch i32 43 producer_id i64
 *  16  magic i8 (= 2)             51 producer_epoch i16
 *  17  crc u32                    53 first_sequence i32
 *  21  attributes i16             57 records section: u32 count + records (compressed as a whole
 *  23  last_offset_delta i32          when attributes & 7 != 0)
 *
 * batch_len counts the bytes after itself, so a batch occupies 12 + batch_len bytes.
 * The CRC-32C covers attributes (byte 21) to the end of the batch.
 */
import { crc32c } from './crc32c.ts';
import { type CompressionCode, decompress, isCompressionCode } from './compression.ts';
import { readInt64BE, writeInt64BE } from './varint.ts';

export const BatchLayout = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  firstTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  firstSequence: 53,
  records: 57,
} as const;

/** base_offset + batch_len: the bytes not counted by batch_len. */
export const BATCH_PREAMBLE_SIZE = 12;
/** Bytes before the records section. */
export const BATCH_HEADER_SIZE = 57;
/** Smallest batch_len: the header after the preamble (a compressed section adds at least 1 byte). */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - BATCH_PREAMBLE_SIZE;
/** Smallest uncompressed batch: header + u32 record count. */
export const MIN_BATCH_SIZE = BATCH_HEADER_SIZE + 4;
export const BATCH_MAGIC = 2;
/** Bits 0-2 of attributes. */
export const COMPRESSION_MASK = 0x07;
/** Fluvio's "no timestamp". */
export const NO_TIMESTAMP = -1;
/** Smallest possible encoded record: length, attributes, ts delta, offset delta, key flag, value len, header count. */
export const MIN_RECORD_SIZE = 7;

export type CorruptBatchKind =
  | 'truncated' // the buffer ends inside the batch
  | 'length' // batch_len out of bounds
  | 'too-large' // over maxBatchBytes
  | 'magic'
  | 'crc'
  | 'compression' // unknown codec or the section does not decompress
  | 'count' // record count inconsistent with last_offset_delta or the section size
  | 'record'; // a record inside the section does not parse

/** A batch (or record inside it) that fails a check. `position` is a byte position in the input. */
export class CorruptBatchError extends Error {
  readonly kind: CorruptBatchKind;
  readonly position: number;
  constructor(kind: CorruptBatchKind, position: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorruptBatchError';
    this.kind = kind;
    this.position = position;
  }
}

export interface BatchHeader {
  baseOffset: number;
  /** batch_len: bytes after this field. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  firstSequence: number;
}

/** Fields written by `writeBatchHeader` (the CRC is written separately by `writeBatchCrc`). */
export interface BatchHeaderFields {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  firstSequence: number;
}

function needHeader(buf: Buffer, pos: number): void {
  if (pos < 0 || pos + BATCH_HEADER_SIZE > buf.length) {
    throw new CorruptBatchError(
      'truncated',
      pos,
      `batch header at byte ${pos} truncated: ${Math.max(0, buf.length - pos)} of ${BATCH_HEADER_SIZE} bytes`,
    );
  }
}

/** Decodes the 57-byte header at `pos` into a plain object. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  needHeader(buf, pos);
  const attributes = buf.readInt16BE(pos + 21);
  return {
    baseOffset: readInt64BE(buf, pos),
    batchLength: buf.readInt32BE(pos + 8),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + 16),
    crc: buf.readUInt32BE(pos + 17),
    attributes,
    compression: attributes & COMPRESSION_MASK,
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    firstTimestamp: readInt64BE(buf, pos + 27),
    maxTimestamp: readInt64BE(buf, pos + 35),
    producerId: readInt64BE(buf, pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    firstSequence: buf.readInt32BE(pos + 53),
  };
}

/** Writes the header at `pos` (magic = 2, crc left as 0 until `writeBatchCrc`). */
export function writeBatchHeader(buf: Buffer, pos: number, h: BatchHeaderFields): void {
  writeInt64BE(buf, pos, h.baseOffset);
  buf.writeInt32BE(h.batchLength, pos + 8);
  buf.writeInt32BE(h.partitionLeaderEpoch, pos + 12);
  buf[pos + 16] = BATCH_MAGIC;
  buf.writeUInt32BE(0, pos + 17);
  buf.writeInt16BE(h.attributes, pos + 21);
  buf.writeInt32BE(h.lastOffsetDelta, pos + 23);
  writeInt64BE(buf, pos + 27, h.firstTimestamp);
  writeInt64BE(buf, pos + 35, h.maxTimestamp);
  writeInt64BE(buf, pos + 43, h.producerId);
  buf.writeInt16BE(h.producerEpoch, pos + 51);
  buf.writeInt32BE(h.firstSequence, pos + 53);
}

/** CRC-32C over attributes..end of the batch at `pos` (uses its batch_len). */
export function computeBatchCrc(buf: Buffer, pos: number): number {
  return crc32c(buf.subarray(pos + BatchLayout.attributes, pos + batchTotalSize(buf, pos)));
}

/** Computes and stores the CRC of the batch at `pos`. Call after every change to bytes 21.. . */
export function writeBatchCrc(buf: Buffer, pos: number): void {
  buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + BatchLayout.crc);
}

// ---------------------------------------------------------------------------------------------
// Cheap accessors (no bounds checks beyond Buffer's own; validate first for untrusted input).

export function batchBaseOffset(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos);
}

/** Rewrites base_offset in place. base_offset is outside the CRC, so the CRC stays valid. */
export function setBatchBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64BE(buf, pos, offset);
}

/** Bytes the batch occupies: 12 + batch_len. */
export function batchTotalSize(buf: Buffer, pos: number): number {
  return BATCH_PREAMBLE_SIZE + buf.readInt32BE(pos + 8);
}

export function batchPartitionLeaderEpoch(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + 12);
}

/** Rewrites partition_leader_epoch in place (outside the CRC). */
export function setBatchPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + 12);
}

export function batchCrc(buf: Buffer, pos: number): number {
  return buf.readUInt32BE(pos + 17);
}

export function batchAttributes(buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + 21);
}

export function batchCompression(buf: Buffer, pos: number): number {
  return buf[pos + 22] & COMPRESSION_MASK;
}

export function batchLastOffsetDelta(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + 23);
}

/** base_offset + last_offset_delta. */
export function batchLastOffset(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos) + buf.readInt32BE(pos + 23);
}

/** The offset after this batch: base_offset + last_offset_delta + 1. */
export function batchNextOffset(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos) + buf.readInt32BE(pos + 23) + 1;
}

export function batchFirstTimestamp(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos + 27);
}

export function batchMaxTimestamp(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos + 35);
}

export function batchProducerId(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos + 43);
}

/**
 * Number of records in the batch. Cheap for uncompressed batches (the u32 at byte 57);
 * a compressed batch is decompressed to read it.
 */
export function batchRecordCount(buf: Buffer, pos: number): number {
  const code = buf[pos + 22] & COMPRESSION_MASK;
  if (code === 0) return buf.readUInt32BE(pos + BATCH_HEADER_SIZE);
  if (!isCompressionCode(code)) {
    throw new CorruptBatchError('compression', pos, `batch at byte ${pos} has unknown compression code ${code}`);
  }
  const section = decompress(code, buf.subarray(pos + BATCH_HEADER_SIZE, pos + batchTotalSize(buf, pos)));
  if (section.length < 4) {
    throw new CorruptBatchError('count', pos, `batch at byte ${pos}: decompressed records section shorter than 4 bytes`);
  }
  return section.readUInt32BE(0);
}

/** Offsets the batch spans: last_offset_delta + 1 (>= the record count; equal unless records were filtered out). */
export function batchOffsetCount(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + 23) + 1;
}

/**
 * Records in the batch as its header tells, without decompressing: the u32 count when
 * uncompressed, else last_offset_delta + 1 (exact for batches built by encodeBatch).
 */
export function batchHeaderRecordCount(buf: Buffer, pos: number): number {
  return (buf[pos + 22] & COMPRESSION_MASK) === 0 ? buf.readUInt32BE(pos + BATCH_HEADER_SIZE) : buf.readInt32BE(pos + 23) + 1;
}

/**
 * The decompressed records section (u32 count + records) of the batch at `pos`.
 * Uncompressed: a view into `buf` (no copy). Compressed: a new buffer.
 */
export function recordsSection(buf: Buffer, pos: number, opts?: { maxOutputLength?: number }): Buffer {
  needHeader(buf, pos);
  const end = pos + batchTotalSize(buf, pos);
  if (end > buf.length || end < pos + BATCH_HEADER_SIZE) {
    throw new CorruptBatchError('truncated', pos, `batch at byte ${pos} runs past end of buffer (${end} > ${buf.length})`);
  }
  const raw = buf.subarray(pos + BATCH_HEADER_SIZE, end);
  const code = buf[pos + 22] & COMPRESSION_MASK;
  if (code === 0) return raw;
  if (!isCompressionCode(code)) {
    throw new CorruptBatchError('compression', pos, `batch at byte ${pos} has unknown compression code ${code}`);
  }
  try {
    return decompress(code, raw, opts);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new CorruptBatchError('compression', pos, `batch at byte ${pos}: ${msg}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------
// Validation and iteration

export interface ValidateOptions {
  /** Reject batches whose total size (12 + batch_len) exceeds this. */
  maxBatchBytes?: number;
}

export interface ValidateResult {
  /** Number of batches. */
  count: number;
  /**
   * Total records: exact count for uncompressed batches; last_offset_delta + 1 for compressed
   * ones (exact for batches built by encodeBatch; not decompressed here).
   */
  records: number;
}

/**
 * Checks the batch at `pos` and returns its total size; throws CorruptBatchError.
 * Checks: bounds, batch_len, magic, CRC-32C (unless `verifyCrc` is false), compression code,
 * count vs last_offset_delta and section size (uncompressed only).
 */
export function checkBatch(buf: Buffer, pos: number, maxBatchBytes?: number, verifyCrc = true): number {
  const avail = buf.length - pos;
  if (avail < BATCH_PREAMBLE_SIZE) {
    throw new CorruptBatchError('truncated', pos, `batch at byte ${pos} truncated: ${avail} bytes, need ${BATCH_PREAMBLE_SIZE} for base_offset and batch_len`);
  }
  const batchLen = buf.readInt32BE(pos + 8);
  if (batchLen < MIN_BATCH_LENGTH) {
    throw new CorruptBatchError('length', pos, `batch at byte ${pos} has batch_len ${batchLen}, below the minimum ${MIN_BATCH_LENGTH}`);
  }
  const total = BATCH_PREAMBLE_SIZE + batchLen;
  if (maxBatchBytes !== undefined && total > maxBatchBytes) {
    throw new CorruptBatchError('too-large', pos, `batch at byte ${pos} is ${total} bytes, over the limit of ${maxBatchBytes}`);
  }
  if (total > avail) {
    throw new CorruptBatchError('truncated', pos, `batch at byte ${pos} truncated: ${avail} of ${total} bytes present`);
  }
  const magic = buf[pos + 16];
  if (magic !== BATCH_MAGIC) {
    throw new CorruptBatchError('magic', pos, `batch at byte ${pos} has magic ${magic}, expected ${BATCH_MAGIC}`);
  }
  const stored = buf.readUInt32BE(pos + 17);
  const computed = verifyCrc ? crc32c(buf.subarray(pos + BatchLayout.attributes, pos + total)) : stored;
  if (stored !== computed) {
    throw new CorruptBatchError(
      'crc',
      pos,
      `batch at byte ${pos} fails its CRC-32C: stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')}`,
    );
  }
  const code = buf[pos + 22] & COMPRESSION_MASK;
  if (!isCompressionCode(code)) {
    throw new CorruptBatchError('compression', pos, `batch at byte ${pos} has unknown compression code ${code}`);
  }
  const lod = buf.readInt32BE(pos + 23);
  if (lod < -1) {
    throw new CorruptBatchError('count', pos, `batch at byte ${pos} has last_offset_delta ${lod}`);
  }
  if (code === 0) {
    if (total < MIN_BATCH_SIZE) {
      throw new CorruptBatchError('length', pos, `uncompressed batch at byte ${pos} has no room for its record count`);
    }
    const count = buf.readUInt32BE(pos + BATCH_HEADER_SIZE);
    if (count > lod + 1) {
      throw new CorruptBatchError('count', pos, `batch at byte ${pos} holds ${count} records but last_offset_delta is ${lod}`);
    }
    if (count * MIN_RECORD_SIZE > total - MIN_BATCH_SIZE) {
      throw new CorruptBatchError('count', pos, `batch at byte ${pos} claims ${count} records in ${total - MIN_BATCH_SIZE} bytes`);
    }
  } else if (total === BATCH_HEADER_SIZE) {
    throw new CorruptBatchError('length', pos, `compressed batch at byte ${pos} has an empty records section`);
  }
  return total;
}

/** Validates every batch in `buf` (concatenated batches, nothing else). Throws CorruptBatchError. */
export function validateBatches(buf: Buffer, opts?: ValidateOptions): ValidateResult {
  const max = opts?.maxBatchBytes;
  let count = 0;
  let records = 0;
  let pos = 0;
  while (pos < buf.length) {
    const total = checkBatch(buf, pos, max);
    records += (buf[pos + 22] & COMPRESSION_MASK) === 0
      ? buf.readUInt32BE(pos + BATCH_HEADER_SIZE)
      : buf.readInt32BE(pos + 23) + 1;
    count++;
    pos += total;
  }
  return { count, records };
}

/**
 * Byte length of the longest prefix of `buf` made of whole valid batches: where storage
 * recovery truncates a torn or corrupt tail.
 */
export function scanValidPrefix(buf: Buffer, opts?: ValidateOptions): number {
  const max = opts?.maxBatchBytes;
  let pos = 0;
  while (pos < buf.length) {
    try {
      pos += checkBatch(buf, pos, max);
    } catch (err) {
      if (err instanceof CorruptBatchError) return pos;
      throw err;
    }
  }
  return pos;
}

/**
 * Calls `fn(pos, size)` for each batch in `buf`, using only batch_len (no CRC check). Stops early
 * when `fn` returns false. Throws CorruptBatchError if a batch_len is out of bounds. Returns the
 * number of batches visited.
 */
export function forEachBatch(buf: Buffer, fn: (pos: number, size: number) => void | boolean): number {
  let pos = 0;
  let n = 0;
  while (pos < buf.length) {
    const size = boundedBatchSize(buf, pos);
    n++;
    if (fn(pos, size) === false) break;
    pos += size;
  }
  return n;
}

/** Yields the start position of each batch in `buf` (framing only, as forEachBatch). */
export function* batchPositions(buf: Buffer): Generator<number, void, undefined> {
  let pos = 0;
  while (pos < buf.length) {
    const size = boundedBatchSize(buf, pos);
    yield pos;
    pos += size;
  }
}

function boundedBatchSize(buf: Buffer, pos: number): number {
  const avail = buf.length - pos;
  if (avail < BATCH_PREAMBLE_SIZE) {
    throw new CorruptBatchError('truncated', pos, `batch at byte ${pos} truncated: ${avail} bytes, need ${BATCH_PREAMBLE_SIZE}`);
  }
  const batchLen = buf.readInt32BE(pos + 8);
  if (batchLen < MIN_BATCH_LENGTH) {
    throw new CorruptBatchError('length', pos, `batch at byte ${pos} has batch_len ${batchLen}, below the minimum ${MIN_BATCH_LENGTH}`);
  }
  const size = BATCH_PREAMBLE_SIZE + batchLen;
  if (size > avail) {
    throw new CorruptBatchError('truncated', pos, `batch at byte ${pos} truncated: ${avail} of ${size} bytes present`);
  }
  return size;
}
