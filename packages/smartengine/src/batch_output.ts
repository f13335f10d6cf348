// Record batches in and out of SmartChain.processBatches: walking the input batches and
// wrapping a chain's output records section in its input batch's header. Runs in the sandbox
// worker (so the host thread only slices views), hence its own copy of the few header offsets
// it needs instead of importing @eddy/protocol (and its compression codecs) into every worker;
// a test checks them against @eddy/protocol's BatchLayout.
//
// Batch header (big-endian; docs/ARCHITECTURE.md, "Record batch"): base_offset i64 @0, batch_len i32 @8 (bytes after it),
// partition_leader_epoch i32 @12, magic i8 @16, crc u32 @17 (CRC-32C of bytes 21..end),
// attributes i16 @21 (bits 0-2 compression), last_offset_delta i32 @23, first_timestamp i64 @27,
// max_timestamp i64 @35, producer_id i64 @43, producer_epoch i16 @51, first_sequence i32 @53,
// then the records section @57: u32 count + records.
import { crc32c } from '@node-rs/crc32';
import { copyBytes } from './copy_bytes.ts';
import { EngineVarintError, walkRecords, type RecordMaxima } from './varint.ts';

export const BATCH_HEADER_BYTES = 57;
export const BATCH_LENGTH_AT = 8;
export const BATCH_CRC_AT = 17;
export const BATCH_ATTRIBUTES_AT = 21;
export const BATCH_LAST_OFFSET_DELTA_AT = 23;
export const BATCH_FIRST_TIMESTAMP_AT = 27;
export const BATCH_MAX_TIMESTAMP_AT = 35;
/** base_offset + batch_len: not counted in batch_len. */
const PREAMBLE = 12;
const COMPRESSION_MASK = 0x07;
/** Smallest batch: header + empty records section (u32 count). */
export const MIN_BATCH_BYTES = BATCH_HEADER_BYTES + 4;

/** Batches handed to processBatches, or a module's output, that do not frame (the engine's, apart from the broker's batch checks). */
export class EngineBatchFramingError extends RangeError {
  override name = 'EngineBatchFramingError';
}

/**
 * Checks that `buf[0, len)` is whole batches back to back and returns how many there are.
 * Records sections must be uncompressed (compression bits are ignored; output clears them).
 */
export function countBatches(buf: Uint8Array, len: number): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  for (let at = 0; at < len; n++) {
    if (at + MIN_BATCH_BYTES > len) throw new EngineBatchFramingError(`batch ${n} at byte ${at}: ${len - at} bytes left, a batch needs at least ${MIN_BATCH_BYTES}`);
    const batchLen = dv.getInt32(at + BATCH_LENGTH_AT);
    const end = at + PREAMBLE + batchLen;
    if (batchLen < MIN_BATCH_BYTES - PREAMBLE || end > len) {
      throw new EngineBatchFramingError(`batch ${n} at byte ${at}: batch_len ${batchLen} does not fit the ${len}-byte input`);
    }
    at = end;
  }
  return n;
}

/** End of the batch at `at` (its batch_len plus the 12-byte preamble). */
export function batchEnd(dv: DataView, at: number): number {
  return at + PREAMBLE + dv.getInt32(at + BATCH_LENGTH_AT);
}

/** First timestamp of the batch at `at`, as a number (exact below 2^53 ms). */
export function firstTimestamp(dv: DataView, at: number): number {
  return dv.getInt32(at + BATCH_FIRST_TIMESTAMP_AT) * 4294967296 + dv.getUint32(at + BATCH_FIRST_TIMESTAMP_AT + 4);
}

/**
 * Largest timestamp and offset deltas of the records in `section` (u32 count + records), reading
 * only each record's preamble. Checks that the records fill the section exactly. Results land in
 * `out` (no allocation per call).
 */
export function scanPreambles(section: Uint8Array, out: RecordMaxima): void {
  const len = section.length;
  if (len < 4) throw new EngineBatchFramingError(`records section is ${len} bytes, need at least 4`);
  const count = ((section[0] << 24) | (section[1] << 16) | (section[2] << 8) | section[3]) >>> 0;
  let end: number;
  try {
    end = walkRecords(section, 4, count, len, out);
  } catch (err) {
    if (err instanceof EngineVarintError) throw new EngineBatchFramingError(err.message);
    throw err;
  }
  if (end !== len) throw new EngineBatchFramingError(`records section has ${len - end} bytes after its ${count} records`);
}

/**
 * Writes one output batch at `out[at]`: the input batch's header (base offset, first timestamp,
 * producer fields, offset span kept, so consumers see the stored offsets) around `section`, with
 * batch_len, compression none, last_offset_delta (widened if a record's delta is beyond it),
 * max_timestamp and the CRC set. `section`'s records must frame (walkRecords or scanPreambles
 * checked them and found `maxima`). `out` must have room for BATCH_HEADER_BYTES + section.length.
 * Returns the position after the batch.
 */
export function writeOutputBatch(
  out: Uint8Array, outDv: DataView, at: number, input: Uint8Array, inDv: DataView, inAt: number, section: Uint8Array, maxima: RecordMaxima,
): number {
  out.set(input.subarray(inAt, inAt + BATCH_HEADER_BYTES), at);
  outDv.setInt32(at + BATCH_LENGTH_AT, BATCH_HEADER_BYTES - PREAMBLE + section.length);
  outDv.setInt16(at + BATCH_ATTRIBUTES_AT, inDv.getInt16(inAt + BATCH_ATTRIBUTES_AT) & ~COMPRESSION_MASK);
  if (maxima.maxOffsetDelta > inDv.getInt32(inAt + BATCH_LAST_OFFSET_DELTA_AT)) outDv.setInt32(at + BATCH_LAST_OFFSET_DELTA_AT, maxima.maxOffsetDelta);
  const maxTs = inDv.getBigInt64(inAt + BATCH_FIRST_TIMESTAMP_AT) + BigInt(Math.max(0, maxima.maxTimestampDelta));
  outDv.setBigInt64(at + BATCH_MAX_TIMESTAMP_AT, maxTs);
  copyBytes(section, out, at + BATCH_HEADER_BYTES);
  const end = at + BATCH_HEADER_BYTES + section.length;
  outDv.setUint32(at + BATCH_CRC_AT, crc32c(out.subarray(at + BATCH_ATTRIBUTES_AT, end)));
  return end;
}
