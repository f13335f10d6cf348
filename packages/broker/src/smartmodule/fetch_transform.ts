// Consumer side: runs a stream's chain over the batches the SPU reads from the log. A read goes to
// the chain in one call (SmartChain.processBatches: one round trip to the sandbox, which sends
// back finished batches), records sections as stored (decompressed if needed, never
// re-encoded). Output batches keep the stored offsets; batches whose records were all filtered
// out are dropped and the stream's nextOffset moves past them (Fluvio's next_filter_offset).
// A stream that starts inside a stored batch gets that batch cut at its start offset: the
// records before it never reach the chain (an aggregate or a filter remembering what it saw
// would take them in), and the batch goes with its base offset moved up to the start, so what
// array_map makes of it (new records, at the batch's base offset) is not before the start.
//
// Pipelining: while the stream sends one read's output and reads the next, the chain already
// works on the next stretches of the log, read ahead here (AHEAD reads of the stream's read
// size). Passes are matched to the stream's reads batch by batch (by base offset), so a read
// ahead of another size still serves.

import {
  BATCH_HEADER_SIZE, BATCH_PREAMBLE_SIZE, BatchLayout, COMPRESSION_MASK, batchBaseOffset, batchTotalSize, setBatchBaseOffset,
} from '@eddy/protocol';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import type { BatchesResult, SmartChain } from '@eddy/smartengine';
import type { PartitionLog, ReadResult } from '../storage/index.ts';
import type { BatchTransform, TransformResult } from '../spu/index.ts';
import { sectionOf } from './batch_submitter.ts';
import { errorInfo, toWireError } from './errors.ts';
import { sectionFrom } from './section_rewrite.ts';

const EMPTY = Buffer.alloc(0);
/** A records section of no records (u32 count 0). */
const NO_RECORDS = Buffer.alloc(4);
/** Passes read ahead of the stream and queued to the chain (the worker finds the next one waiting). */
const AHEAD = 2;

/** One call to the chain: a run of stored batches. */
export interface Pass {
  /** The bytes read: batch k is data[starts[k], starts[k + 1] ?? data.length). */
  data: Buffer;
  starts: number[];
  /** Base offset of each batch, in order. */
  bases: number[];
  /** Offset after each batch. */
  nexts: number[];
  /** Offset after the last batch. */
  next: number;
  result: Promise<BatchesResult>;
  /** Holders of the output (the queue while batches are left to match, and responses not yet written); at 0 it goes back to the chain. */
  holds: number;
  /** Holders of `data` (the chain until the result settles, the queue while reads may be served from it, and those reads); at 0 `free` gives it back to storage. */
  dataHolds: number;
  free: (() => void) | null;
}

function drop(pass: Pass): void {
  if (--pass.holds === 0) pass.result.then((r) => r.release(), () => {});
}

function dropData(pass: Pass): void {
  if (--pass.dataHolds === 0) pass.free?.();
}

/**
 * What the transform returns: `release`, when the stream calls it once the response carrying
 * `batches` is written, lets the chain reuse that memory (else it is left to the GC).
 */
export type ReleasableResult = TransformResult & { release: () => void };

const NO_RELEASE = (): void => {};

/**
 * Hands runs of stored batches to a chain in log order, one processBatches call per run.
 * Compressed batches are decompressed first (off the main thread where the codec allows) and
 * go as a fresh header plus the decompressed section; such a run holds back the runs after it.
 */
export class PassSubmitter {
  private chain: SmartChain;
  private maxSectionBytes: number;
  /** Set while a run waits for decompression: resolves once it has been submitted. */
  private lastSubmitted: Promise<void> | null = null;

  constructor(chain: SmartChain, maxSectionBytes: number) {
    this.chain = chain;
    this.maxSectionBytes = maxSectionBytes;
  }

  /**
   * Submits the batches of `data` from byte `from` on. Records before offset `firstOffset` (a
   * stream's start, inside the first batch) are cut off: see `cutBefore`.
   */
  submit(data: Buffer, from: number, firstOffset = -1): Pass {
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
    const pass: Pass = { data, starts, bases, nexts, next, result, holds: 1, dataHolds: 1, free: null };
    // the chain copies the bytes in (again, should its worker be restarted) until the pass settles
    void result.then(() => dropData(pass), () => dropData(pass));
    return pass;
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

export interface FetchTransformOptions {
  /** Largest decompressed records section accepted (guards against decompression bombs). */
  maxSectionBytes: number;
  /** The partition's log, to read ahead of the stream (none: no read-ahead). */
  log?: PartitionLog;
}

/** The batches [from, to) of a pass that one stream read covers. */
interface Part {
  pass: Pass;
  from: number;
  to: number;
}

/** A stream's chain: matches the stream's reads with passes already submitted, reads ahead, slices the output. */
class FetchPipeline {
  private chain: SmartChain;
  private submitter: PassSubmitter;
  private log: PartitionLog | undefined;
  /** Submitted ahead of the stream, in log order; the head may be partly matched already. */
  private queue: Pass[] = [];
  /** Batches of the queue's head already matched to a stream read. */
  private taken = 0;
  private ahead: Promise<void> | null = null;
  /** Size of the stream's latest read: what to read ahead. */
  private readSize = 0;
  private closed = false;

  constructor(chain: SmartChain, opts: FetchTransformOptions) {
    this.chain = chain;
    this.submitter = new PassSubmitter(chain, opts.maxSectionBytes);
    this.log = opts.log;
  }

  async transform(batches: Buffer, nextOffset: number, from = -1): Promise<ReleasableResult> {
    if (batches.length === 0) return { batches: EMPTY, nextOffset, release: NO_RELEASE };
    // A read ahead still in flight covers what this read may need: submitting it here too would run those batches twice.
    while (this.ahead) await this.ahead;
    // The stream's first read may start inside a batch (passes read ahead never do).
    const inside = batchBaseOffset(batches, 0) < from;
    const parts: Part[] = [];
    for (let at = 0; at < batches.length;) {
      const head = this.queue[0];
      if (!inside && head && head.bases[this.taken] === batchBaseOffset(batches, at)) {
        const from = this.taken;
        do {
          at += batchTotalSize(batches, at);
          this.taken++;
        } while (at < batches.length && this.taken < head.bases.length && head.bases[this.taken] === batchBaseOffset(batches, at));
        head.holds++;
        parts.push({ pass: head, from, to: this.taken });
        if (this.taken === head.bases.length) {
          this.unqueue(this.queue.shift()!);
          this.taken = 0;
        }
      } else {
        // Not read ahead (or, which the stream's sequential reads rule out, read ahead wrongly).
        this.clearQueue();
        const pass = this.submitter.submit(batches, at, inside ? from : -1);
        parts.push({ pass, from: 0, to: pass.bases.length }); // the queue's hold becomes this part's
        break;
      }
    }
    this.readSize = batches.length;
    this.topUp(nextOffset);

    const out: Buffer[] = [];
    const holding: Pass[] = []; // passes whose output is in `out`
    let error: SmartModuleErrorInfo | null = null;
    let i = 0;
    try {
      for (; i < parts.length; i++) {
        const p = parts[i];
        let r: BatchesResult;
        try {
          r = await p.pass.result;
        } catch (err) {
          throw toWireError(err);
        }
        // ends[k]: end of batch k's output; fewer ends than batches when a record error stopped the pass
        const done = r.ends.length;
        const start = p.from === 0 ? 0 : r.ends[Math.min(p.from, done) - 1];
        const stop = Math.min(p.to, done);
        const end = stop === 0 ? 0 : r.ends[stop - 1];
        if (end > start) {
          out.push(r.batches.subarray(start, end));
          holding.push(p.pass);
        } else {
          drop(p.pass);
        }
        if (r.error && p.to >= done) {
          error = errorInfo(r.error);
          break;
        }
      }
    } catch (err) {
      for (const p of holding) drop(p);
      for (; i < parts.length; i++) drop(parts[i].pass);
      throw err;
    }
    for (i++; i < parts.length; i++) drop(parts[i].pass); // after a record error
    if (out.length === 1) {
      const pass = holding[0];
      let held = true;
      return { batches: out[0], nextOffset, error, release: () => { if (held) { held = false; drop(pass); } } };
    }
    const joined = out.length === 0 ? EMPTY : Buffer.concat(out);
    for (const p of holding) drop(p);
    return { batches: joined, nextOffset, error, release: NO_RELEASE };
  }

  private clearQueue(): void {
    for (const p of this.queue) this.unqueue(p);
    this.queue.length = 0;
    this.taken = 0;
  }

  /** Drops the queue's holds on a pass (its output, and its data that reads were served from). */
  private unqueue(pass: Pass): void {
    drop(pass);
    dropData(pass);
  }

  /** Reads ahead (one read at a time) until AHEAD passes wait untouched in the queue. */
  private topUp(from: number): void {
    const log = this.log;
    if (!log || this.closed || this.ahead) return;
    const untouched = this.queue.length - (this.taken > 0 ? 1 : 0);
    if (untouched >= AHEAD) return;
    const at = this.queue.at(-1)?.next ?? from;
    if (at >= log.highWatermark) return;
    const run = this.fill(log, at).finally(() => {
      if (this.ahead === run) this.ahead = null;
      this.topUp(at);
    });
    this.ahead = run;
  }

  private async fill(log: PartitionLog, from: number): Promise<void> {
    let read: ReadResult;
    try {
      read = await log.read(from, this.readSize);
    } catch {
      return; // the stream's own read of this range reports any problem
    }
    const { data, release } = read;
    if (data.length === 0) {
      release();
      return;
    }
    // the first batch may start before `from` (a read finds the batch holding an offset)
    let at = 0;
    try {
      while (at < data.length && batchBaseOffset(data, at) < from) at += batchTotalSize(data, at);
    } catch {
      at = data.length;
    }
    if (this.closed || at >= data.length) {
      release();
      return;
    }
    const pass = this.submitter.submit(data, at);
    pass.free = release;
    pass.dataHolds++; // the queue's: reads may be served from it until it is fully taken
    this.queue.push(pass);
  }

  /**
   * The stream's read of the log, served from a pass read ahead when one starts at `position`
   * (its next whole batches, up to `maxBytes`, at least one), else from the log: the bytes were
   * read once already. The result's `release` is for when the stream is done with `data`.
   */
  async read(log: PartitionLog, position: number, maxBytes: number): Promise<ReadResult> {
    while (this.ahead) await this.ahead;
    const head = this.queue[0];
    const k = this.taken;
    if (!head || head.bases[k] !== position) return log.read(position, maxBytes);
    const n = head.starts.length;
    const endOf = (i: number): number => (i + 1 < n ? head.starts[i + 1] : head.data.length);
    const from = head.starts[k];
    let j = k + 1; // serves batches [k, j)
    while (j < n && endOf(j) - from <= maxBytes) j++;
    const to = endOf(j - 1);
    head.dataHolds++;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      dropData(head);
    };
    return { data: head.data.subarray(from, to), nextOffset: head.nexts[j - 1], release };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearQueue();
    await this.chain.close();
  }
}

/**
 * The stream's transform; `close()` frees the chain's instances (called when the stream ends).
 * Each result's `release()` (see ReleasableResult) hands its memory back once it is written.
 * With a log, `read(position, maxBytes)` reads for the stream: from what was read ahead when it
 * can (the stream's reads then cost nothing), else from the log.
 */
export function chainFetchTransform(chain: SmartChain, opts: FetchTransformOptions): ChainFetchTransform {
  const pipeline = new FetchPipeline(chain, opts);
  const log = opts.log;
  return Object.assign((batches: Buffer, nextOffset: number, from?: number) => pipeline.transform(batches, nextOffset, from), {
    close: () => pipeline.close(),
    ...(log ? { read: (position: number, maxBytes: number) => pipeline.read(log, position, maxBytes) } : {}),
  });
}

export type ChainFetchTransform = ((batches: Buffer, nextOffset: number, from?: number) => Promise<ReleasableResult>) & BatchTransform & {
  close(): Promise<void>;
  read?: (position: number, maxBytes: number) => Promise<ReadResult>;
};
