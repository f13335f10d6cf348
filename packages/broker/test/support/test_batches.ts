// Storage test helper: builds valid batches (header + an opaque records section + correct CRC)
// without the records codec, so storage tests control sizes and counts exactly.
import { batchBaseOffset } from '@eddy/protocol';
import {
  BatchLayout, BATCH_HEADER_SIZE, BATCH_MAGIC, BATCH_PREAMBLE_SIZE, batchLastOffsetDelta,
  batchTotalSize, writeBatchCrc, writeInt64BE,
} from '@eddy/protocol/internal';

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
  writeInt64BE(buf, BatchLayout.baseOffset, spec.baseOffset ?? 0);
  buf.writeInt32BE(size - BATCH_PREAMBLE_SIZE, BatchLayout.batchLength);
  buf.writeInt32BE(0, BatchLayout.partitionLeaderEpoch);
  buf.writeInt8(BATCH_MAGIC, BatchLayout.magic);
  buf.writeInt16BE(0, BatchLayout.attributes);
  buf.writeInt32BE(records - 1, BatchLayout.lastOffsetDelta);
  const first = spec.firstTimestamp ?? 1_700_000_000_000;
  writeInt64BE(buf, BatchLayout.firstTimestamp, first);
  writeInt64BE(buf, BatchLayout.maxTimestamp, spec.maxTimestamp ?? first);
  writeInt64BE(buf, BatchLayout.producerId, -1);
  buf.writeInt16BE(-1, BatchLayout.producerEpoch);
  buf.writeInt32BE(-1, BatchLayout.firstSequence);
  buf.writeUInt32BE(records, BATCH_HEADER_SIZE);
  const tag = spec.tag ?? 0;
  buf.writeUInt32BE(tag >>> 0, BATCH_HEADER_SIZE + 4);
  for (let i = 4; i < payloadBytes; i++) buf[BATCH_HEADER_SIZE + 4 + i] = (tag + i) & 0xff;
  writeBatchCrc(buf, 0);
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
    const size = batchTotalSize(buf, at);
    if (at + size > buf.length) throw new Error(`partial batch at ${at} (size ${size}, have ${buf.length - at})`);
    const baseOffset = batchBaseOffset(buf, at);
    out.push({ position: at, baseOffset, lastOffset: baseOffset + batchLastOffsetDelta(buf, at), size, tag: tagOf(buf, at) });
    at += size;
  }
  return out;
}
