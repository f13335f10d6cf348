// Storage's view of the batch header: the protocol package's layout and accessors, plus a check
// that reports a problem as a string (recovery scans with it and must not throw per batch).
// Storage never looks inside the records section.
import {
  BatchLayout, BATCH_HEADER_SIZE, BATCH_PREAMBLE_SIZE, crc32c, readInt64BE, writeInt64BE,
  batchBaseOffset, batchTotalSize, batchLastOffsetDelta, batchMaxTimestamp, writeBatchCrc,
} from '@eddy/protocol';

export { BATCH_HEADER_SIZE };
export const BASE_OFFSET_AT = BatchLayout.baseOffset;
export const BATCH_LEN_AT = BatchLayout.batchLength;
export const MAGIC_AT = BatchLayout.magic;
export const CRC_AT = BatchLayout.crc;
export const ATTRIBUTES_AT = BatchLayout.attributes;
export const LAST_OFFSET_DELTA_AT = BatchLayout.lastOffsetDelta;
export const FIRST_TIMESTAMP_AT = BatchLayout.firstTimestamp;
export const MAX_TIMESTAMP_AT = BatchLayout.maxTimestamp;
/** base_offset + batch_len: the bytes not counted by batch_len. */
export const BATCH_LOG_OVERHEAD = BATCH_PREAMBLE_SIZE;
/** Smallest legal batch_len (a header with an empty records section). */
export const MIN_BATCH_LEN = BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD;
export const CURRENT_MAGIC = 2;

/** Reads an i64 as a JS number (exact below 2^53, which offsets and ms timestamps stay under). */
export const readI64 = (buf: Buffer, at: number): number => readInt64BE(buf, at);
export const writeI64 = (buf: Buffer, at: number, value: number): void => void writeInt64BE(buf, at, value);
export const baseOffsetOf = batchBaseOffset;
/** Total bytes the batch at `batchAt` occupies (header included). */
export const batchSizeOf = batchTotalSize;
export const lastOffsetDeltaOf = batchLastOffsetDelta;
export const maxTimestampOf = batchMaxTimestamp;

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
export const writeCrc = (buf: Buffer, batchAt: number): void => void writeBatchCrc(buf, batchAt);
