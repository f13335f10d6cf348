// The one path from fetched record batches to a chain, for the broker's streams and for clients'
// local chains alike (Fluvio's SPU and client share one engine the same way). A run of stored
// batches goes to the chain in one call (SmartChain.processBatches: one round trip to the sandbox,
// which sends back finished batches in each input batch's header), records sections as stored
// (decompressed if needed, never re-encoded): batches in, batches out, no per-record work here.
// A stream that starts inside a batch gets that batch cut at its start offset: the records before
// it never reach the chain (an aggregate or a filter remembering what it saw would take them in),
// and the batch goes with its base offset moved up to the start, so what array_map makes of it
// (new records, at the batch's base offset) is not before the start. Host side only: the sandbox
// worker does not load @eddy/protocol.

import { EddyError, ErrorCode, batchBaseOffset } from '@eddy/protocol';
import {
  BATCH_HEADER_SIZE, BATCH_PREAMBLE_SIZE, BatchLayout, COMPRESSION_MASK, batchTotalSize,
  decompressAsync, isCompressionCode, sectionFrom, setBatchBaseOffset,
} from '@eddy/protocol/internal';
import type { SmartChain } from './smart_chain.ts';
import type { BatchesResult } from './types.ts';

/** A records section of no records (u32 count 0). */
const NO_RECORDS = Buffer.alloc(4);

/** One call to the chain: a run of stored batches, and where each of them sits. */
export interface BatchPass {
  /** The bytes read: batch k is data[starts[k], starts[k + 1] ?? data.length). */
  data: Buffer;
  starts: number[];
  /** Base offset of each batch, in order (as stored, before any cut). */
  bases: number[];
  /** Offset after each batch. */
  nexts: number[];
  /** Offset after the last batch. */
  next: number;
  /** The chain's output: `ends[k]` is where batch k's output ends (see SmartChain.processBatches). */
  result: Promise<BatchesResult>;
}

/**
 * The stored batch's records section: a view when uncompressed, else decompressed (off the main
 * thread where the codec allows), at most `maxSectionBytes` (none: no cap). Throws or rejects
 * with an EddyError (CorruptMessage) for an unknown codec or a section that does not decompress.
 */
export function sectionOf(batches: Buffer, at: number, size: number, maxSectionBytes?: number): Buffer | Promise<Buffer> {
  const raw = batches.subarray(at + BATCH_HEADER_SIZE, at + size);
  const codec = batches[at + BatchLayout.attributes + 1] & COMPRESSION_MASK;
  if (codec === 0) return raw;
  if (!isCompressionCode(codec)) {
    throw new EddyError(ErrorCode.CorruptMessage, `batch at offset ${batchBaseOffset(batches, at)} uses unknown compression code ${codec}`);
  }
  const opts = maxSectionBytes === undefined ? undefined : { maxOutputLength: maxSectionBytes };
  return decompressAsync(codec, raw, opts).catch((err: Error) => {
    throw new EddyError(ErrorCode.CorruptMessage, `batch at offset ${batchBaseOffset(batches, at)}: ${err.message}`);
  });
}

/**
 * Hands runs of stored batches to a chain in log order, one processBatches call per run.
 * Compressed batches are decompressed first (off the main thread where the codec allows) and
 * go as a fresh header plus the decompressed section; such a run holds back the runs after it.
 */
export class PassSubmitter {
  private chain: SmartChain;
  private maxSectionBytes: number | undefined;
  /** Set while a run waits for decompression: resolves once it has been submitted. */
  private lastSubmitted: Promise<void> | null = null;

  /** `maxSectionBytes` caps a decompressed records section (guards against decompression bombs). */
  constructor(chain: SmartChain, maxSectionBytes?: number) {
    this.chain = chain;
    this.maxSectionBytes = maxSectionBytes;
  }

  /**
   * Submits the batches of `data` from byte `from` on. Records before offset `firstOffset` (a
   * stream's start, inside the first batch) are cut off: see `cutBefore`. The result is awaited
   * later, in order (a rejection is not left unhandled meanwhile).
   */
  submit(data: Buffer, from: number, firstOffset = -1): BatchPass {
    const starts: number[] = [];
    const bases: number[] = [];
    const nexts: number[] = [];
    let next = 0;
    let pieces: Array<Uint8Array | Promise<Uint8Array>> | null = null;
    let result: Promise<BatchesResult>;
    try {
      let run = from;
      let at = from;
      while (at < data.length) {
        const size = batchTotalSize(data, at);
        const base = batchBaseOffset(data, at);
        next = base + data.readInt32BE(at + BatchLayout.lastOffsetDelta) + 1;
        starts.push(at);
        bases.push(base);
        nexts.push(next);
        const cut = base < firstOffset;
        if (cut || (data[at + BatchLayout.attributes + 1] & COMPRESSION_MASK) !== 0) {
          // goes as a fresh header plus the section (decompressed, cut)
          pieces ??= [];
          if (at > run) pieces.push(data.subarray(run, at));
          const header = Buffer.from(data.subarray(at, at + BATCH_HEADER_SIZE));
          const finish = (s: Buffer): Buffer => {
            if (cut) s = cutBefore(header, s, firstOffset);
            header.writeInt32BE(BATCH_HEADER_SIZE - BATCH_PREAMBLE_SIZE + s.length, BatchLayout.batchLength);
            return s;
          };
          const section = sectionOf(data, at, size, this.maxSectionBytes);
          pieces.push(header, section instanceof Promise ? section.then(finish) : finish(section));
          run = at + size;
        }
        at += size;
      }
      if (pieces === null && this.lastSubmitted === null) {
        result = this.chain.processBatches(from === 0 ? data : data.subarray(from));
      } else {
        if (pieces === null) pieces = [data.subarray(from)];
        else if (run < data.length) pieces.push(data.subarray(run));
        result = this.afterPrevious(pieces);
      }
    } catch (err) {
      result = Promise.reject(err);
    }
    result.catch(() => {}); // awaited later, in order
    return { data, starts, bases, nexts, next, result };
  }

  private afterPrevious(pieces: Array<Uint8Array | Promise<Uint8Array>>): Promise<BatchesResult> {
    let submitted!: () => void;
    const gate = new Promise<void>((resolve) => { submitted = resolve; });
    const before = this.lastSubmitted;
    this.lastSubmitted = gate;
    void gate.then(() => { if (this.lastSubmitted === gate) this.lastSubmitted = null; });
    return Promise.all([Promise.all(pieces), before]).then(
      ([ready]) => { const p = this.chain.processBatches(ready); submitted(); return p; },
      (err: unknown) => { submitted(); throw err; },
    );
  }
}

/**
 * Cuts a batch at offset `from` (inside it): returns its records section holding only the
 * records from `from` on, and rewrites `header` (a copy) to start at `from`, so the records keep
 * their offsets and the batch still ends where it did. Only the batch a stream starts in.
 */
function cutBefore(header: Buffer, section: Buffer, from: number): Buffer {
  const base = batchBaseOffset(header, 0);
  const last = base + header.readInt32BE(BatchLayout.lastOffsetDelta);
  if (last < from) return NO_RECORDS; // none of its offsets wanted (a read starts at the batch holding `from`)
  const cut = sectionFrom(section, base, from);
  setBatchBaseOffset(header, 0, from);
  header.writeInt32BE(last - from, BatchLayout.lastOffsetDelta);
  return cut;
}
