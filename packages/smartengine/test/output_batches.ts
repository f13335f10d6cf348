// Reading a chain's output batches back with @eddy/protocol's own codec (tests only).
import { checkBatch, decodeRecords } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import type { BatchesResult } from '../src/types.ts';

/** Every output batch, checked (framing, CRC), as [base offset, offsets, values]. */
export function batchesOf(r: BatchesResult): Array<[number, number[], string[]]> {
  const out: Array<[number, number[], string[]]> = [];
  for (let at = 0; at < r.batches.length; at += batchTotalSize(r.batches, at)) {
    checkBatch(r.batches, at);
    const recs = decodeRecords(r.batches, at);
    out.push([Number(r.batches.readBigInt64BE(at)), recs.map((x) => x.offset), recs.map((x) => x.value.toString())]);
  }
  return out;
}
