// What storage accepts as a batch: the header envelope only (length bounds, magic,
// last_offset_delta, CRC). Storage never looks inside the records section, so this is looser than
// protocol's checkBatch (no compression or record-count checks) and reports a problem as a string
// against an explicit end (a segment scan may hold only the header in memory).
import {
  BatchLayout, BATCH_HEADER_SIZE, BATCH_MAGIC, BATCH_PREAMBLE_SIZE, MIN_BATCH_LENGTH, crc32c,
} from '@eddy/protocol/internal';

/**
 * Checks the batch starting at `batchAt` against the bytes available up to `end`: length bounds,
 * magic, last_offset_delta and (when `verifyCrc`) the CRC. Returns a one-line description of the
 * first problem, or null when the batch is whole and valid.
 */
export function batchProblem(buf: Buffer, batchAt: number, end: number, verifyCrc = true): string | null {
  const available = end - batchAt;
  if (available < BATCH_HEADER_SIZE) {
    return `truncated batch header: ${available} of ${BATCH_HEADER_SIZE} bytes`;
  }
  const batchLen = buf.readInt32BE(batchAt + BatchLayout.batchLength);
  if (batchLen < MIN_BATCH_LENGTH) return `batch_len ${batchLen} is below the minimum ${MIN_BATCH_LENGTH}`;
  if (batchLen > available - BATCH_PREAMBLE_SIZE) {
    return `truncated batch: batch_len ${batchLen} but only ${available - BATCH_PREAMBLE_SIZE} bytes follow`;
  }
  const magic = buf.readInt8(batchAt + BatchLayout.magic);
  if (magic !== BATCH_MAGIC) return `bad magic ${magic} (expected ${BATCH_MAGIC})`;
  const delta = buf.readInt32BE(batchAt + BatchLayout.lastOffsetDelta);
  if (delta < 0) return `negative last_offset_delta ${delta}`;
  if (verifyCrc) {
    const stored = buf.readUInt32BE(batchAt + BatchLayout.crc);
    const batchEnd = batchAt + BATCH_PREAMBLE_SIZE + batchLen;
    const computed = crc32c(buf.subarray(batchAt + BatchLayout.attributes, batchEnd)) >>> 0;
    if (stored !== computed) {
      return `crc mismatch (stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')})`;
    }
  }
  return null;
}
