// The produce-side check of what a client sends, before anything is stored: every batch's framing
// and CRC (CorruptMessage), then its records (CorruptRecord), so a batch a consumer cannot decode
// never reaches the log, where it would stop every reader of the partition.
import { CorruptBatchError, EddyError, ErrorCode, batchCompression, checkBatch } from '@eddy/protocol';
import {
  BATCH_HEADER_SIZE, batchRecordsProblem, batchTotalSize, decompressAsync, sectionRecordsProblem,
} from '@eddy/protocol/internal';
import type { CompressionCode } from '@eddy/protocol';

/** Largest decompressed records section accepted for a topic (as recompression allows). */
export function maxSectionBytes(maxRecordBytes: number): number {
  return Math.max(maxRecordBytes * 4, 16 * 1024 * 1024);
}

/**
 * Checks every batch of `buf` (whole batches back to back, as scanBatches confirmed): framing and
 * CRC of all, records of the uncompressed ones. Returns true when compressed batches remain for
 * validateCompressed (decompressing here would block the event loop). Throws EddyError
 * CorruptMessage for a bad frame or CRC, CorruptRecord for a bad records section.
 */
export function validateProduced(buf: Buffer): boolean {
  let compressed = false;
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    try {
      checkBatch(buf, at);
    } catch (err) {
      if (err instanceof CorruptBatchError) throw new EddyError(ErrorCode.CorruptMessage, `batch ${i}: ${err.message}`);
      throw err;
    }
    if (batchCompression(buf, at) !== 0) {
      compressed = true;
    } else {
      const problem = batchRecordsProblem(buf, at, { checkFraming: false });
      if (problem !== null) throw new EddyError(ErrorCode.CorruptRecord, `batch ${i} at byte ${at}: ${problem}`);
    }
    at += batchTotalSize(buf, at);
  }
  return compressed;
}

/**
 * The records of the compressed batches of `buf` (already through validateProduced), decompressed
 * off the event loop where the codec allows. Rejects with EddyError CorruptRecord.
 */
export async function validateCompressed(buf: Buffer, maxSection: number): Promise<void> {
  const jobs: Promise<string | null>[] = [];
  const where: string[] = [];
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    const size = batchTotalSize(buf, at);
    const code = batchCompression(buf, at) as CompressionCode;
    if (code !== 0) {
      const pos = at;
      where.push(`batch ${i} at byte ${pos}`);
      jobs.push(decompressAsync(code, buf.subarray(pos + BATCH_HEADER_SIZE, pos + size), { maxOutputLength: maxSection }).then(
        (section) => sectionRecordsProblem(buf, pos, section),
        (err: unknown) => `records section does not decompress: ${err instanceof Error ? err.message : String(err)}`,
      ));
    }
    at += size;
  }
  const problems = await Promise.all(jobs);
  for (let j = 0; j < problems.length; j++) {
    if (problems[j] !== null) throw new EddyError(ErrorCode.CorruptRecord, `${where[j]}: ${problems[j]}`);
  }
}
