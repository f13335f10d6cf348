// Consumer side: runs a stream's chain over the batches the SPU reads from the log. Each stored
// batch's records section goes to the chain as stored (decompressed if needed, never
// re-encoded), one call per batch; the calls of one read are all submitted at once so the engine
// pipelines them (two in flight per chain) while results are taken back in order. The output
// keeps the stored offsets; batches whose records were all filtered out are dropped and the
// stream's nextOffset moves past them (Fluvio's next_filter_offset).

import {
  BATCH_HEADER_SIZE, BatchLayout, COMPRESSION_MASK, batchBaseOffset, batchTotalSize, decompressAsync,
  isCompressionCode, readInt64BE, EddyError, ErrorCode,
} from '@eddy/protocol';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import type { ProcessResult, SmartChain } from '@eddy/smartengine';
import type { BatchTransform, TransformResult } from '../spu/index.ts';
import { errorInfo, toWireError } from './errors.ts';
import { buildOutputBatches } from './section_rewrite.ts';
import type { OutputPart } from './section_rewrite.ts';

const EMPTY = Buffer.alloc(0);

export interface FetchTransformOptions {
  /** Largest decompressed records section accepted (guards against decompression bombs). */
  maxSectionBytes: number;
}

/** The stored batch's records section: a view when uncompressed, else decompressed (off the main thread where the codec allows). */
export function sectionOf(batches: Buffer, at: number, size: number, maxSectionBytes: number): Buffer | Promise<Buffer> {
  const raw = batches.subarray(at + BATCH_HEADER_SIZE, at + size);
  const codec = batches[at + BatchLayout.attributes + 1] & COMPRESSION_MASK;
  if (codec === 0) return raw;
  if (!isCompressionCode(codec)) {
    throw new EddyError(ErrorCode.CorruptMessage, `batch at offset ${batchBaseOffset(batches, at)} uses unknown compression code ${codec}`);
  }
  return decompressAsync(codec, raw, { maxOutputLength: maxSectionBytes }).catch((err: Error) => {
    throw new EddyError(ErrorCode.CorruptMessage, `batch at offset ${batchBaseOffset(batches, at)}: ${err.message}`);
  });
}

/**
 * Submits every batch of `batches` to the chain in order, without waiting between them.
 * Returns one promise per batch (each already marked handled) and the batches' positions.
 */
export function submitBatches(chain: SmartChain, batches: Buffer, maxSectionBytes: number): { positions: number[]; results: Promise<ProcessResult>[] } {
  const positions: number[] = [];
  const results: Promise<ProcessResult>[] = [];
  // Set once a batch waits for decompression: resolves when the previous batch was submitted.
  let previousSubmitted: Promise<void> | null = null;
  for (let at = 0; at < batches.length;) {
    const size = batchTotalSize(batches, at);
    const baseOffset = batchBaseOffset(batches, at);
    const baseTimestamp = readInt64BE(batches, at + BatchLayout.firstTimestamp);
    let r: Promise<ProcessResult>;
    try {
      const section = sectionOf(batches, at, size, maxSectionBytes);
      if (previousSubmitted === null && !(section instanceof Promise)) {
        r = chain.process({ baseOffset, baseTimestamp, records: section });
      } else {
        // Keep submission order: after this batch's decompression and the previous submission.
        let submitted!: () => void;
        const gate = new Promise<void>((resolve) => { submitted = resolve; });
        r = Promise.all([section, previousSubmitted]).then(
          ([s]) => { const p = chain.process({ baseOffset, baseTimestamp, records: s }); submitted(); return p; },
          (err: unknown) => { submitted(); throw err; },
        );
        previousSubmitted = gate;
      }
    } catch (err) {
      r = Promise.reject(err);
    }
    r.catch(() => {});
    results.push(r);
    positions.push(at);
    at += size;
  }
  return { positions, results };
}

/** The stream's transform; `close()` frees the chain's instances (called when the stream ends). */
export function chainFetchTransform(chain: SmartChain, opts: FetchTransformOptions): BatchTransform & { close(): Promise<void> } {
  const transform = async (batches: Buffer, nextOffset: number): Promise<TransformResult> => {
    if (batches.length === 0) return { batches: EMPTY, nextOffset };
    const { positions, results } = submitBatches(chain, batches, opts.maxSectionBytes);
    const parts: OutputPart[] = [];
    let error: SmartModuleErrorInfo | null = null;
    for (let i = 0; i < results.length; i++) {
      let r: ProcessResult;
      try {
        r = await results[i];
      } catch (err) {
        throw toWireError(err);
      }
      if (r.count > 0) parts.push({ input: batches, pos: positions[i], section: r.records });
      if (r.error) {
        error = errorInfo(r.error);
        break;
      }
    }
    let out: Buffer;
    try {
      out = parts.length === 0 ? EMPTY : buildOutputBatches(parts);
    } catch (err) {
      const last = chain.modules.at(-1)?.name ?? '';
      throw new EddyError(ErrorCode.SmartModuleRuntime, `SmartModule '${last}' produced malformed records: ${(err as Error).message}`);
    }
    return { batches: out, nextOffset, error };
  };
  return Object.assign(transform, { close: () => chain.close() });
}
