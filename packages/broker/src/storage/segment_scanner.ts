// Walks the batch headers of a segment file in large positional reads. Used by recovery (with CRC
// checks, to find the end of the valid data) and by timestamp lookups (headers only).
import { batchBaseOffset, batchMaxTimestamp } from '@eddy/protocol';
import { BATCH_HEADER_SIZE, batchLastOffsetDelta, batchTotalSize } from '@eddy/protocol/internal';
import { batchProblem } from './batch_check.ts';
import { preadExact } from './fs_io.ts';

export interface ScanOptions {
  /** File position of a batch boundary to start at. */
  from: number;
  /** File position to stop at (exclusive): the file size, or the committed size. */
  to: number;
  /** Base offset the first batch must carry (later ones must follow contiguously); null: unchecked. */
  expectedBaseOffset: number | null;
  /** Verify every batch's CRC (needs the whole batch in memory) or just the header. */
  verifyCrc: boolean;
  /** Read size; large for recovery, small for lookups that stop early. */
  chunkBytes: number;
  /** Called for each valid batch, in order; return true to stop the scan there. */
  onBatch?: (baseOffset: number, position: number, size: number, lastOffsetDelta: number, maxTimestamp: number) => boolean | void;
}

export interface ScanResult {
  /** Position after the last valid batch visited (where a truncation would cut). */
  end: number;
  /** Offset after the last valid batch visited; expectedBaseOffset (or -1) if none. */
  nextOffset: number;
  /** Why the scan stopped before `to`, or null if it reached `to` or was stopped by onBatch. */
  problem: string | null;
  /** True when onBatch asked to stop. */
  stopped: boolean;
  /** Valid batches visited. */
  batches: number;
}

const EMPTY: Buffer = Buffer.alloc(0);

export async function scanBatches(fd: number, opts: ScanOptions): Promise<ScanResult> {
  const { to, verifyCrc, onBatch } = opts;
  const chunkBytes = Math.max(opts.chunkBytes, BATCH_HEADER_SIZE);
  let pos = opts.from;
  let buf = EMPTY;
  let bufStart = pos; // file position of buf[0]
  let expected = opts.expectedBaseOffset;
  let batches = 0;
  const result = (problem: string | null, stopped: boolean): ScanResult => ({
    end: pos,
    nextOffset: expected ?? -1,
    problem: problem === null ? null : `at byte ${pos}: ${problem}`,
    stopped,
    batches,
  });
  while (pos < to) {
    const remaining = to - pos;
    let at = pos - bufStart;
    if (buf.length - at < BATCH_HEADER_SIZE) {
      if (remaining < BATCH_HEADER_SIZE) {
        return result(`truncated batch header: ${remaining} of ${BATCH_HEADER_SIZE} bytes`, false);
      }
      buf = await preadExact(fd, pos, Math.min(chunkBytes, remaining));
      bufStart = pos;
      at = 0;
    }
    const size = batchTotalSize(buf, at);
    if (verifyCrc && size <= remaining && buf.length - at < size) {
      buf = await preadExact(fd, pos, Math.min(Math.max(chunkBytes, size), remaining));
      bufStart = pos;
      at = 0;
    }
    // `at + remaining` is the file end seen from this buffer; batchProblem only reads past the
    // header (for the CRC) when verifying, and then the whole batch is in `buf`.
    const problem = batchProblem(buf, at, at + remaining, verifyCrc);
    if (problem !== null) return result(problem, false);
    const base = batchBaseOffset(buf, at);
    if (expected !== null && base !== expected) {
      return result(`base offset ${base} where ${expected} was expected`, false);
    }
    const delta = batchLastOffsetDelta(buf, at);
    const stop = onBatch?.(base, pos, size, delta, batchMaxTimestamp(buf, at)) === true;
    expected = base + delta + 1;
    pos += size;
    batches++;
    if (stop) return result(null, true);
  }
  return result(null, false);
}
