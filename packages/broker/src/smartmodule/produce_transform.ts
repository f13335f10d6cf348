// Producer side: a produce request's batches go through its chain before they are stored. Each
// incoming batch becomes at most one new batch (none when everything was filtered out), with
// dense offset deltas (the log assigns offsets), the input's timestamps, and the topic's codec
// (the input's codec when the topic takes any). A record error rejects the whole request's
// partition and nothing is written.

import { visitRecords, EddyError, ErrorCode } from '@eddy/protocol';
import {
  BATCH_HEADER_SIZE, BATCH_PREAMBLE_SIZE, BatchLayout, COMPRESSION_MASK, compressAsync,
  isCompressionCode, readInt64BE, writeBatchCrc, writeInt64BE,
} from '@eddy/protocol/internal';
import type { CompressionCode } from '@eddy/protocol';
import { SmartModuleFailure } from '@eddy/smartengine';
import { errorInfo, toWireError } from '@eddy/smartengine/internal';
import type { ProcessResult, SmartChain } from '@eddy/smartengine';
import { BatchSubmitter } from './batch_submitter.ts';
import { densifySection } from './section_rewrite.ts';

/**
 * Runs every batch of `batches` through `chain`; resolves to the batches to store (possibly
 * empty). `targetCodec` -1 keeps each batch's codec. Rejects with an EddyError
 * (SmartModuleFailure carrying the record error).
 */
export async function transformProduced(chain: SmartChain, batches: Buffer, targetCodec: number, maxSectionBytes: number): Promise<Buffer> {
  const submitted = new BatchSubmitter(chain, maxSectionBytes).submitAll(batches);
  const built: Promise<Buffer>[] = [];
  for (const s of submitted) {
    let r: ProcessResult;
    try {
      r = await s.result;
    } catch (err) {
      throw toWireError(err);
    }
    if (r.error) throw new SmartModuleFailure(errorInfo(r.error));
    if (r.count === 0) continue;
    const pos = s.pos;
    const codec = targetCodec >= 0 ? targetCodec : batches[pos + BatchLayout.attributes + 1] & COMPRESSION_MASK;
    built.push(producedBatch(batches, pos, r.records, codec, chain));
  }
  const out = await Promise.all(built);
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

async function producedBatch(input: Buffer, pos: number, records: Uint8Array, codec: number, chain: SmartChain): Promise<Buffer> {
  let section: Buffer;
  const firstTs = readInt64BE(input, pos + BatchLayout.firstTimestamp);
  let maxTs = firstTs;
  let count = 0;
  try {
    section = densifySection(records);
    count = visitRecords(section, 0, firstTs, (r) => { if (r.timestamp > maxTs) maxTs = r.timestamp; });
  } catch (err) {
    const last = chain.modules.at(-1)?.name ?? '';
    throw new EddyError(ErrorCode.SmartModuleRuntime, `SmartModule "${last}" produced malformed records: ${(err as Error).message}`);
  }
  if (!isCompressionCode(codec)) throw new EddyError(ErrorCode.UnsupportedCompression, `unknown compression code ${codec}`);
  const payload = codec === 0 ? section : await compressAsync(codec as CompressionCode, section);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  input.copy(out, 0, pos, pos + BATCH_HEADER_SIZE);
  out.writeInt32BE(BATCH_HEADER_SIZE - BATCH_PREAMBLE_SIZE + payload.length, BatchLayout.batchLength);
  out.writeInt16BE((input.readInt16BE(pos + BatchLayout.attributes) & ~COMPRESSION_MASK) | codec, BatchLayout.attributes);
  out.writeInt32BE(count - 1, BatchLayout.lastOffsetDelta);
  writeInt64BE(out, BatchLayout.maxTimestamp, maxTs);
  payload.copy(out, BATCH_HEADER_SIZE);
  writeBatchCrc(out, 0);
  return out;
}
