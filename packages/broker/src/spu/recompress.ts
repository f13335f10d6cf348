import { batchCompression, checkBatch, EddyError, ErrorCode } from '@eddy/protocol';
import {
  BATCH_HEADER_SIZE, batchTotalSize, compressAsync, decompressAsync, isCompressionCode,
  writeBatchCrc,
} from '@eddy/protocol/internal';
import type { CompressionCode } from '@eddy/protocol';

/**
 * Rewrites every batch of `buf` whose codec differs from `target` so the topic stores one codec.
 * Only the records section is recompressed (records are never decoded); the header is copied with
 * new attributes, batch_len and CRC. `maxSectionBytes` guards against decompression bombs.
 */
export async function recompressBatches(buf: Buffer, target: CompressionCode, maxSectionBytes: number): Promise<Buffer> {
  const jobs: Promise<Buffer>[] = [];
  let at = 0;
  while (at < buf.length) {
    const size = batchTotalSize(buf, at);
    const batch = buf.subarray(at, at + size);
    jobs.push(batchCompression(batch, 0) === target ? Promise.resolve(batch) : recompressOne(batch, target, maxSectionBytes, at));
    at += size;
  }
  const out = await Promise.all(jobs);
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

async function recompressOne(batch: Buffer, target: CompressionCode, maxSectionBytes: number, position: number): Promise<Buffer> {
  const from = batchCompression(batch, 0);
  if (!isCompressionCode(from)) {
    throw new EddyError(ErrorCode.UnsupportedCompression, `batch at byte ${position} uses unknown compression code ${from}`);
  }
  let section: Buffer;
  try {
    // Verify before re-sealing: a new CRC must never cover bytes that arrived corrupt.
    checkBatch(batch, 0);
    section = await decompressAsync(from, batch.subarray(BATCH_HEADER_SIZE), { maxOutputLength: maxSectionBytes });
  } catch (err) {
    throw new EddyError(ErrorCode.CorruptMessage, `batch at byte ${position}: ${(err as Error).message}`);
  }
  const packed = await compressAsync(target, section);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + packed.length);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  packed.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt16BE((batch.readInt16BE(21) & ~0x07) | target, 21);
  writeBatchCrc(out, 0);
  return out;
}
