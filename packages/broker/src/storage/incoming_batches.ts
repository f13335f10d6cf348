// Validation of the bytes handed to append(): one or more complete batches, back to back.
import { batchLastOffsetDelta, batchTotalSize } from '@eddy/protocol/internal';
import { batchProblem } from './batch_check.ts';
import { CorruptAppendError } from './errors.ts';

/** Largest append accepted; keeps every file position and relative offset inside a u32. */
export const MAX_APPEND_BYTES = 0x7fffffff;

export interface IncomingSummary {
  batchCount: number;
  /** Offsets the batches will consume: the sum of last_offset_delta + 1. */
  offsetCount: number;
}

/**
 * Checks every batch (bounds, magic, CRC) before anything is written, so a bad append leaves the
 * log untouched. Throws CorruptAppendError naming the first bad batch.
 */
export function validateIncoming(buf: Buffer): IncomingSummary {
  if (buf.length === 0) throw new CorruptAppendError('append of zero bytes: expected at least one batch', 0);
  if (buf.length > MAX_APPEND_BYTES) {
    throw new CorruptAppendError(`append of ${buf.length} bytes exceeds the ${MAX_APPEND_BYTES}-byte limit`, 0);
  }
  let at = 0;
  let batchCount = 0;
  let offsetCount = 0;
  while (at < buf.length) {
    const problem = batchProblem(buf, at, buf.length);
    if (problem !== null) {
      throw new CorruptAppendError(`batch ${batchCount} at byte ${at}: ${problem}`, at);
    }
    offsetCount += batchLastOffsetDelta(buf, at) + 1;
    batchCount++;
    at += batchTotalSize(buf, at);
  }
  return { batchCount, offsetCount };
}
