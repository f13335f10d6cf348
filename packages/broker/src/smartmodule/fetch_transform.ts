// Consumer side: runs a stream's chain over the batches the SPU reads from the log. Each stored
// batch's records section goes to the chain as stored (decompressed if needed, never
// re-encoded), one call per batch. The output keeps the stored offsets; batches whose records
// were all filtered out are dropped and the stream's nextOffset moves past them (Fluvio's
// next_filter_offset).
//
// Pipelining: every batch of a read is submitted at once (the engine runs two per chain in
// flight, in order), and while the stream sends one read's output and reads the next, the chain
// is already working on the next stretch of the log, read ahead here. Results are taken back in
// order and matched to the stream's reads by base offset.

import {
  BATCH_HEADER_SIZE, BatchLayout, COMPRESSION_MASK, batchBaseOffset, batchTotalSize, decompressAsync,
  isCompressionCode, readInt64BE, EddyError, ErrorCode,
} from '@eddy/protocol';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import type { ProcessResult, SmartChain } from '@eddy/smartengine';
import type { PartitionLog } from '../storage/index.ts';
import type { BatchTransform, TransformResult } from '../spu/index.ts';
import { errorInfo, toWireError } from './errors.ts';
import { buildOutputBatches } from './section_rewrite.ts';
import type { OutputPart } from './section_rewrite.ts';

const EMPTY = Buffer.alloc(0);

/** One stored batch handed to the chain. */
export interface Submitted {
  input: Buffer;
  pos: number;
  baseOffset: number;
  /** Offset after the batch (base + last_offset_delta + 1). */
  nextOffset: number;
  result: Promise<ProcessResult>;
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
 * Hands stored batches to a chain in call order without waiting for results. A batch that must
 * be decompressed first holds back the ones after it, so the chain always sees log order.
 */
export class BatchSubmitter {
  private chain: SmartChain;
  private maxSectionBytes: number;
  /** Set while a submission waits for decompression: resolves once it has been submitted. */
  private lastSubmitted: Promise<void> | null = null;

  constructor(chain: SmartChain, maxSectionBytes: number) {
    this.chain = chain;
    this.maxSectionBytes = maxSectionBytes;
  }

  submit(input: Buffer, pos: number): Submitted {
    const size = batchTotalSize(input, pos);
    const baseOffset = batchBaseOffset(input, pos);
    const nextOffset = baseOffset + input.readInt32BE(pos + BatchLayout.lastOffsetDelta) + 1;
    const baseTimestamp = readInt64BE(input, pos + BatchLayout.firstTimestamp);
    let result: Promise<ProcessResult>;
    try {
      const section = sectionOf(input, pos, size, this.maxSectionBytes);
      if (this.lastSubmitted === null && !(section instanceof Promise)) {
        result = this.chain.process({ baseOffset, baseTimestamp, records: section });
      } else {
        let submitted!: () => void;
        const gate = new Promise<void>((resolve) => { submitted = resolve; });
        const before = this.lastSubmitted;
        this.lastSubmitted = gate;
        result = Promise.all([section, before]).then(
          ([s]) => { const p = this.chain.process({ baseOffset, baseTimestamp, records: s }); submitted(); return p; },
          (err: unknown) => { submitted(); throw err; },
        );
        void gate.then(() => { if (this.lastSubmitted === gate) this.lastSubmitted = null; });
      }
    } catch (err) {
      result = Promise.reject(err);
    }
    result.catch(() => {}); // awaited later, in order
    return { input, pos, baseOffset, nextOffset, result };
  }

  /** Submits every batch of `batches`. */
  submitAll(batches: Buffer): Submitted[] {
    const out: Submitted[] = [];
    for (let at = 0; at < batches.length; at += batchTotalSize(batches, at)) out.push(this.submit(batches, at));
    return out;
  }
}

export interface FetchTransformOptions {
  /** Largest decompressed records section accepted (guards against decompression bombs). */
  maxSectionBytes: number;
  /** The partition's log, to read ahead of the stream (none: no read-ahead). */
  log?: PartitionLog;
}

/** A stream's chain: matches the stream's reads with batches already submitted, reads ahead, builds the output. */
class FetchPipeline {
  private chain: SmartChain;
  private submitter: BatchSubmitter;
  private log: PartitionLog | undefined;
  /** Submitted ahead of the stream, in log order. */
  private queue: Submitted[] = [];
  private ahead: Promise<void> | null = null;
  private closed = false;

  constructor(chain: SmartChain, opts: FetchTransformOptions) {
    this.chain = chain;
    this.submitter = new BatchSubmitter(chain, opts.maxSectionBytes);
    this.log = opts.log;
  }

  async transform(batches: Buffer, nextOffset: number): Promise<TransformResult> {
    if (batches.length === 0) return { batches: EMPTY, nextOffset };
    if (this.ahead) await this.ahead;
    const mine: Submitted[] = [];
    for (let at = 0; at < batches.length; at += batchTotalSize(batches, at)) {
      const head = this.queue[0];
      if (head && head.baseOffset === batchBaseOffset(batches, at)) {
        mine.push(head);
        this.queue.shift();
      } else {
        // Not read ahead (or, which the stream's sequential reads rule out, read ahead wrongly).
        this.queue.length = 0;
        mine.push(this.submitter.submit(batches, at));
      }
    }
    if (this.queue.length === 0) this.readAhead(mine[mine.length - 1].nextOffset, batches.length);

    const parts: OutputPart[] = [];
    let error: SmartModuleErrorInfo | null = null;
    for (const s of mine) {
      let r: ProcessResult;
      try {
        r = await s.result;
      } catch (err) {
        throw toWireError(err);
      }
      if (r.count > 0) parts.push({ input: s.input, pos: s.pos, section: r.records });
      if (r.error) {
        error = errorInfo(r.error);
        break;
      }
    }
    let out: Buffer;
    try {
      out = parts.length === 0 ? EMPTY : buildOutputBatches(parts);
    } catch (err) {
      const last = this.chain.modules.at(-1)?.name ?? '';
      throw new EddyError(ErrorCode.SmartModuleRuntime, `SmartModule '${last}' produced malformed records: ${(err as Error).message}`);
    }
    return { batches: out, nextOffset, error };
  }

  /** Reads the next stretch of the log and submits it, so the chain works while the stream sends. */
  private readAhead(from: number, bytes: number): void {
    const log = this.log;
    if (!log || this.closed || from >= log.highWatermark) return;
    const run = this.fill(log, from, bytes).finally(() => {
      if (this.ahead === run) this.ahead = null;
    });
    this.ahead = run;
  }

  private async fill(log: PartitionLog, from: number, bytes: number): Promise<void> {
    try {
      const { data } = await log.read(from, bytes);
      if (this.closed) return;
      for (let at = 0; at < data.length; at += batchTotalSize(data, at)) {
        if (batchBaseOffset(data, at) >= from) this.queue.push(this.submitter.submit(data, at));
      }
    } catch {
      // The stream's own read of this range reports any problem.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.chain.close();
  }
}

/** The stream's transform; `close()` frees the chain's instances (called when the stream ends). */
export function chainFetchTransform(chain: SmartChain, opts: FetchTransformOptions): BatchTransform & { close(): Promise<void> } {
  const pipeline = new FetchPipeline(chain, opts);
  return Object.assign((batches: Buffer, nextOffset: number) => pipeline.transform(batches, nextOffset), { close: () => pipeline.close() });
}
