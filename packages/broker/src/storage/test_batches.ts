// Test helper: builds valid batches (header + an opaque records section + correct CRC) without
// the protocol codec. Not used by production code.
import {
  ATTRIBUTES_AT,
  BATCH_HEADER_SIZE,
  BATCH_LEN_AT,
  BATCH_LOG_OVERHEAD,
  CURRENT_MAGIC,
  FIRST_TIMESTAMP_AT,
  LAST_OFFSET_DELTA_AT,
  MAGIC_AT,
  MAX_TIMESTAMP_AT,
  baseOffsetOf,
  batchSizeOf,
  lastOffsetDeltaOf,
  writeCrc,
  writeI64,
} from './batch_header.ts';

export interface TestBatchSpec {
  /** Records in the batch: last_offset_delta = records - 1 (default 1). */
  records?: number;
  /** Bytes of the records section after its u32 count (default 32). */
  payloadBytes?: number;
  /** Written at the start of the payload (as a u32) so tests can recognise the batch. */
  tag?: number;
  firstTimestamp?: number;
  maxTimestamp?: number;
  baseOffset?: number;
}

export function makeBatch(spec: TestBatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const payloadBytes = Math.max(spec.payloadBytes ?? 32, 4);
  const size = BATCH_HEADER_SIZE + 4 + payloadBytes;
  const buf = Buffer.alloc(size);
  writeI64(buf, 0, spec.baseOffset ?? 0);
  buf.writeInt32BE(size - BATCH_LOG_OVERHEAD, BATCH_LEN_AT);
  buf.writeInt32BE(0, 12); // partition_leader_epoch
  buf.writeInt8(CURRENT_MAGIC, MAGIC_AT);
  buf.writeInt16BE(0, ATTRIBUTES_AT);
  buf.writeInt32BE(records - 1, LAST_OFFSET_DELTA_AT);
  const first = spec.firstTimestamp ?? 1_700_000_000_000;
  writeI64(buf, FIRST_TIMESTAMP_AT, first);
  writeI64(buf, MAX_TIMESTAMP_AT, spec.maxTimestamp ?? first);
  writeI64(buf, 43, -1); // producer_id
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeUInt32BE(records, BATCH_HEADER_SIZE);
  const tag = spec.tag ?? 0;
  buf.writeUInt32BE(tag >>> 0, BATCH_HEADER_SIZE + 4);
  for (let i = 4; i < payloadBytes; i++) buf[BATCH_HEADER_SIZE + 4 + i] = (tag + i) & 0xff;
  writeCrc(buf, 0);
  return buf;
}

/** The tag written by makeBatch into the batch at `at`. */
export function tagOf(buf: Buffer, at = 0): number {
  return buf.readUInt32BE(at + BATCH_HEADER_SIZE + 4);
}

export interface BatchView {
  position: number;
  baseOffset: number;
  lastOffset: number;
  size: number;
  tag: number;
}

/** Splits concatenated batches (as returned by read) into their headers. */
export function splitBatches(buf: Buffer): BatchView[] {
  const out: BatchView[] = [];
  for (let at = 0; at < buf.length; ) {
    const size = batchSizeOf(buf, at);
    if (at + size > buf.length) throw new Error(`partial batch at ${at} (size ${size}, have ${buf.length - at})`);
    const baseOffset = baseOffsetOf(buf, at);
    out.push({ position: at, baseOffset, lastOffset: baseOffset + lastOffsetDeltaOf(buf, at), size, tag: tagOf(buf, at) });
    at += size;
  }
  return out;
}
