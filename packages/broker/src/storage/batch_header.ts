// Just enough of the batch header for storage: field positions, accessors and a structural check.
// Storage never looks inside the records section. Layout (big-endian), see DESIGN.md:
//   base_offset i64 @0, batch_len i32 @8 (bytes after this field), partition_leader_epoch i32 @12,
//   magic i8 @16, crc u32 @17 (CRC-32C of @21..end), attributes i16 @21, last_offset_delta i32 @23,
//   first_timestamp i64 @27, max_timestamp i64 @35, producer_id i64 @43, producer_epoch i16 @51,
//   first_sequence i32 @53, records section @57.
import { crc32c } from '@node-rs/crc32';

export const BASE_OFFSET_AT = 0;
export const BATCH_LEN_AT = 8;
export const MAGIC_AT = 16;
export const CRC_AT = 17;
export const ATTRIBUTES_AT = 21;
export const LAST_OFFSET_DELTA_AT = 23;
export const FIRST_TIMESTAMP_AT = 27;
export const MAX_TIMESTAMP_AT = 35;
/** base_offset + batch_len: the bytes not counted by batch_len. */
export const BATCH_LOG_OVERHEAD = 12;
/** Size of the fixed header; the records section starts here. */
export const BATCH_HEADER_SIZE = 57;
/** Smallest legal batch_len (a header with an empty records section). */
export const MIN_BATCH_LEN = BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD;
export const CURRENT_MAGIC = 2;

const TWO_POW_32 = 4294967296;

/** Reads an i64 as a JS number (exact below 2^53, which offsets and ms timestamps stay under). */
export function readI64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

export function writeI64(buf: Buffer, at: number, value: number): void {
  const hi = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * TWO_POW_32, at + 4);
}

export function baseOffsetOf(buf: Buffer, batchAt: number): number {
  return readI64(buf, batchAt + BASE_OFFSET_AT);
}

/** Total bytes the batch at `batchAt` occupies (header included). */
export function batchSizeOf(buf: Buffer, batchAt: number): number {
  return BATCH_LOG_OVERHEAD + buf.readInt32BE(batchAt + BATCH_LEN_AT);
}

export function lastOffsetDeltaOf(buf: Buffer, batchAt: number): number {
  return buf.readInt32BE(batchAt + LAST_OFFSET_DELTA_AT);
}

export function maxTimestampOf(buf: Buffer, batchAt: number): number {
  return readI64(buf, batchAt + MAX_TIMESTAMP_AT);
}

/**
 * Checks the batch starting at `batchAt` against the bytes available up to `end`: length bounds,
 * magic, last_offset_delta and (when `verifyCrc`) the CRC. Returns a one-line description of the
 * first problem, or null when the batch is whole and valid.
 */
export function checkBatch(buf: Buffer, batchAt: number, end: number, verifyCrc = true): string | null {
  const available = end - batchAt;
  if (available < BATCH_HEADER_SIZE) {
    return `truncated batch header: ${available} of ${BATCH_HEADER_SIZE} bytes`;
  }
  const batchLen = buf.readInt32BE(batchAt + BATCH_LEN_AT);
  if (batchLen < MIN_BATCH_LEN) return `batch_len ${batchLen} is below the minimum ${MIN_BATCH_LEN}`;
  if (batchLen > available - BATCH_LOG_OVERHEAD) {
    return `truncated batch: batch_len ${batchLen} but only ${available - BATCH_LOG_OVERHEAD} bytes follow`;
  }
  const magic = buf.readInt8(batchAt + MAGIC_AT);
  if (magic !== CURRENT_MAGIC) return `bad magic ${magic} (expected ${CURRENT_MAGIC})`;
  const delta = buf.readInt32BE(batchAt + LAST_OFFSET_DELTA_AT);
  if (delta < 0) return `negative last_offset_delta ${delta}`;
  if (verifyCrc) {
    const stored = buf.readUInt32BE(batchAt + CRC_AT);
    const end = batchAt + BATCH_LOG_OVERHEAD + batchLen;
    const computed = crc32c(buf.subarray(batchAt + ATTRIBUTES_AT, end)) >>> 0;
    if (stored !== computed) {
      return `crc mismatch (stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')})`;
    }
  }
  return null;
}

/** Recomputes and stores the CRC of the batch at `batchAt` (used by tests and tools). */
export function writeCrc(buf: Buffer, batchAt: number): void {
  const end = batchAt + batchSizeOf(buf, batchAt);
  buf.writeUInt32BE(crc32c(buf.subarray(batchAt + ATTRIBUTES_AT, end)) >>> 0, batchAt + CRC_AT);
}
