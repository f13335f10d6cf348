import { encodeBatch, visitRecords } from '@eddy/protocol';
import type { BatchOptions, CompressionCode, RecordInput } from '@eddy/protocol';
import type { ProducerBatch } from './accumulator.ts';

/** A producer batch's wire bytes: its own buffers (uncompressed) or one compressed buffer. */
export function wireBatches(b: ProducerBatch, compression: CompressionCode, maxBatchBytes: number): Buffer[] {
  const parts = b.builder.finish({ compression });
  if (compression === 0 || b.count === 1 || parts[0].length <= maxBatchBytes) return parts;
  // Compression made the batch larger than the topic allows (incompressible data): split it.
  const records: RecordInput[] = [];
  visitRecords(b.builder.section(), 0, b.builder.firstTimestamp, (r) => {
    records.push({ key: r.key(), value: r.value(), timestamp: r.timestamp, headers: r.headerCount > 0 ? r.headers() : null });
  });
  return encodeBounded(records, { compression, timestamp: b.createdMs }, maxBatchBytes);
}

/**
 * Encodes a producer batch's records as wire batches no larger than `maxBatchBytes` (the topic's
 * max record size, which the broker checks per batch). Normally that is one encodeBatch call; a
 * batch whose size estimate was too low is split in halves and re-encoded, a rare path. The parts
 * travel back to back in one partition entry, so the broker gives them consecutive offsets and the
 * records keep `base + index`. A single record over the limit is sent alone for the broker to refuse.
 */
export function encodeBounded(records: readonly RecordInput[], opts: BatchOptions, maxBatchBytes: number): Buffer[] {
  const out: Buffer[] = [];
  encodeInto(records, opts, maxBatchBytes, out);
  return out;
}

function encodeInto(records: readonly RecordInput[], opts: BatchOptions, max: number, out: Buffer[]): void {
  const b = encodeBatch(records, opts);
  if (b.length <= max || records.length === 1) {
    out.push(b);
    return;
  }
  const half = records.length >>> 1;
  encodeInto(records.slice(0, half), opts, max, out);
  encodeInto(records.slice(half), opts, max, out);
}
