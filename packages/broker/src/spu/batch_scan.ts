// Framing-level reads of record batch headers (the layout in docs/ARCHITECTURE.md, "Record batch"). The SPU never decodes records:
// it walks batch headers to check sizes, count records and cut at an offset.

import { CorruptBatchError, batchBaseOffset, batchCompression, batchNextOffset } from '@eddy/protocol';
import {
  BATCH_HEADER_SIZE, BATCH_PREAMBLE_SIZE, MIN_BATCH_SIZE, batchHeaderRecordCount, batchTotalSize,
} from '@eddy/protocol/internal';

export interface BatchScan {
  batches: number;
  records: number;
  /** Largest batch, in bytes. */
  largest: number;
  /** True when some batch is compressed with a codec other than `wantCompression`. */
  needsRecompress: boolean;
}

/**
 * Checks that `buf` is whole batches back to back (lengths only; storage checks CRCs) and sums
 * what the metrics need. `wantCompression` < 0 means any codec is fine. Throws CorruptBatchError.
 */
export function scanBatches(buf: Buffer, wantCompression = -1): BatchScan {
  if (buf.length === 0) throw new CorruptBatchError('truncated', 0, 'no record batches in the request');
  let at = 0;
  let batches = 0;
  let records = 0;
  let largest = 0;
  let needsRecompress = false;
  while (at < buf.length) {
    const avail = buf.length - at;
    if (avail < BATCH_HEADER_SIZE) throw new CorruptBatchError('truncated', at, `batch ${batches} at byte ${at} is truncated: ${avail} bytes, header needs ${BATCH_HEADER_SIZE}`);
    const size = batchTotalSize(buf, at);
    if (size < BATCH_HEADER_SIZE) throw new CorruptBatchError('length', at, `batch ${batches} at byte ${at} has an invalid length ${size - BATCH_PREAMBLE_SIZE}`);
    if (size > avail) throw new CorruptBatchError('truncated', at, `batch ${batches} at byte ${at} is truncated: ${avail} of ${size} bytes present`);
    const codec = batchCompression(buf, at);
    if (codec === 0 && size < MIN_BATCH_SIZE) throw new CorruptBatchError('length', at, `batch ${batches} at byte ${at} has no record count`);
    if (wantCompression >= 0 && codec !== wantCompression) needsRecompress = true;
    records += batchHeaderRecordCount(buf, at);
    if (size > largest) largest = size;
    batches++;
    at += size;
  }
  return { batches, records, largest, needsRecompress };
}

/** Record count of whole batches (for metrics on the fetch path). */
export function countRecords(buf: Buffer): number {
  let at = 0;
  let records = 0;
  while (at + MIN_BATCH_SIZE <= buf.length) {
    records += batchHeaderRecordCount(buf, at);
    at += batchTotalSize(buf, at);
  }
  return records;
}

/**
 * Length of the prefix of `buf` holding the batches that start at or before `lastOffset`, and the
 * offset after the last of them. Used to stop a stream at its end offset on a batch boundary.
 */
export function cutAfterOffset(buf: Buffer, lastOffset: number): { length: number; nextOffset: number } {
  let at = 0;
  let next = -1;
  while (at + BATCH_HEADER_SIZE <= buf.length) {
    if (batchBaseOffset(buf, at) > lastOffset) break;
    next = batchNextOffset(buf, at);
    at += batchTotalSize(buf, at);
  }
  return { length: at, nextOffset: next };
}
