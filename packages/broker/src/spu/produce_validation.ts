// The produce-side check of what a client sends, before anything is stored: every batch's framing
// and CRC (CorruptMessage), then its records (CorruptRecord), so a batch a consumer cannot decode
// never reaches the log, where it would stop every reader of the partition.
import { CorruptBatchError, EddyError, ErrorCode, batchRecordsProblem, batchTotalSize, checkBatch } from '@eddy/protocol';

/** Largest decompressed records section accepted for a topic (as recompression allows). */
export function maxSectionBytes(maxRecordBytes: number): number {
  return Math.max(maxRecordBytes * 4, 16 * 1024 * 1024);
}

/**
 * Checks every batch of `buf` (whole batches back to back, as scanBatches confirmed). Throws
 * EddyError CorruptMessage for a bad frame or CRC, CorruptRecord for a bad records section.
 */
export function validateProduced(buf: Buffer, maxSection: number): void {
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    try {
      checkBatch(buf, at);
    } catch (err) {
      if (err instanceof CorruptBatchError) throw new EddyError(ErrorCode.CorruptMessage, `batch ${i}: ${err.message}`);
      throw err;
    }
    const problem = batchRecordsProblem(buf, at, { maxSectionBytes: maxSection, checkFraming: false });
    if (problem !== null) throw new EddyError(ErrorCode.CorruptRecord, `batch ${i} at byte ${at}: ${problem}`);
    at += batchTotalSize(buf, at);
  }
}
