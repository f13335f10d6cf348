/**
 * What a broker checks inside a produced batch before storing it (as Kafka's log validator):
 * after the framing (see checkBatch), the records section itself must be exactly what a consumer
 * can decode. One pass over the section, nothing allocated per record.
 *
 * Checked: the section decompresses (within a size limit) and holds exactly its record count;
 * every record's length, varints, key flag, key/value/header lengths fit the record; offset deltas
 * run 0..n-1 and n-1 equals last_offset_delta; no record's timestamp is below -1 (NO_TIMESTAMP)
 * or, when the header gives a max_timestamp (not -1), above it. Topics have no timestamp type, so
 * these are the only timestamp rules: the time index relies on max_timestamp being an upper bound.
 */
import {
  BATCH_HEADER_SIZE, COMPRESSION_MASK, CorruptBatchError, NO_TIMESTAMP, batchTotalSize, checkBatch,
} from './batch.ts';
import { decompress, isCompressionCode } from './compression.ts';
import { RecordCursor } from './records.ts';
import { readInt64BE } from './varint.ts';

export interface BatchValidatorOptions {
  /** Largest decompressed records section accepted (decompression-bomb guard). */
  maxSectionBytes?: number;
  /** Check the framing (bounds, magic, CRC) first; false when the caller already has. Default true. */
  checkFraming?: boolean;
}

// One cursor for every call: validation is synchronous, so it is never shared between two passes.
const cursor = new RecordCursor();

/**
 * Validates the batch at `pos` of `buf`. Returns null when a consumer can decode every record of
 * it, else a one-line description of the first problem (naming the record index when one is at
 * fault). Never throws for malformed input.
 */
export function batchRecordsProblem(buf: Buffer, pos: number, opts?: BatchValidatorOptions): string | null {
  let total: number;
  try {
    total = opts?.checkFraming === false ? batchTotalSize(buf, pos) : checkBatch(buf, pos);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const code = buf[pos + 22] & COMPRESSION_MASK;
  let section: Buffer;
  const raw = buf.subarray(pos + BATCH_HEADER_SIZE, pos + total);
  if (code === 0) {
    section = raw;
  } else {
    if (!isCompressionCode(code)) return `unknown compression code ${code}`;
    try {
      section = decompress(code, raw, opts?.maxSectionBytes === undefined ? undefined : { maxOutputLength: opts.maxSectionBytes });
    } catch (err) {
      return `records section does not decompress: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return sectionRecordsProblem(buf, pos, section);
}

/**
 * The records half of batchRecordsProblem, for a caller that decompressed the section itself (off
 * the event loop, say): checks `section` (the batch's records section, decompressed) against the
 * header of the batch at `pos`. Null when every record decodes, else the first problem.
 */
export function sectionRecordsProblem(buf: Buffer, pos: number, section: Buffer): string | null {
  const compressed = (buf[pos + 22] & COMPRESSION_MASK) !== 0;
  const lastOffsetDelta = buf.readInt32BE(pos + 23);
  const firstTimestamp = readInt64BE(buf, pos + 27);
  const maxTimestamp = readInt64BE(buf, pos + 35);
  if (lastOffsetDelta < 0) return `last_offset_delta ${lastOffsetDelta}: a batch must hold at least one record`;
  if (firstTimestamp < NO_TIMESTAMP) return `first_timestamp ${firstTimestamp} is below ${NO_TIMESTAMP}`;
  if (maxTimestamp < NO_TIMESTAMP) return `max_timestamp ${maxTimestamp} is below ${NO_TIMESTAMP}`;
  // Positions are reported within the batch for an uncompressed section, within the
  // decompressed section otherwise.
  const base = compressed ? 0 : BATCH_HEADER_SIZE;
  const c = cursor;
  try {
    c.reset(section, 0, firstTimestamp, base);
    if (c.count !== lastOffsetDelta + 1) {
      return `record count ${c.count} does not match last_offset_delta ${lastOffsetDelta} (expected ${lastOffsetDelta + 1} records)`;
    }
    const capped = maxTimestamp !== NO_TIMESTAMP;
    while (c.next()) {
      if (c.offsetDelta !== c.index) return `record ${c.index} has offset_delta ${c.offsetDelta}, expected ${c.index}`;
      const ts = c.timestamp;
      if (ts < NO_TIMESTAMP) return `record ${c.index} has timestamp ${ts}, below ${NO_TIMESTAMP}`;
      if (capped && ts > maxTimestamp) return `record ${c.index} has timestamp ${ts}, above the batch's max_timestamp ${maxTimestamp}`;
    }
  } catch (err) {
    if (err instanceof CorruptBatchError) return err.message;
    throw err;
  } finally {
    c.section = EMPTY; // do not keep the caller's bytes alive
  }
  return null;
}

const EMPTY = Buffer.alloc(0);
