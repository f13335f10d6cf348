// Consumer side: runs a stream's chain over the batches the SPU reads from the log, through
// @eddy/smartengine's PassSubmitter (the path clients' local chains take too): a read goes to
// the chain in one call, records sections as stored, output batches keep the stored offsets,
// and the batch a stream starts inside of is cut at its start. Batches whose records were all
// filtered out are dropped and the stream's nextOffset moves past them (Fluvio's
// next_filter_offset).
//
// Pipelining: while the stream sends one read's output and reads the next, the chain already
// works on the next stretches of the log, read ahead here (AHEAD reads of the stream's read
// size). Passes are matched to the stream's reads batch by batch (by base offset), so a read
// ahead of another size still serves.

import { batchBaseOffset } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import { PassSubmitter, errorInfo, toWireError } from '@eddy/smartengine/internal';
import type { BatchesResult, SmartChain } from '@eddy/smartengine';
import type { BatchPass } from '@eddy/smartengine/internal';
import type { PartitionLog, ReadResult } from '../storage/index.ts';
import type { BatchTransform, TransformResult } from '../spu/index.ts';

const EMPTY = Buffer.alloc(0);
/** Passes read ahead of the stream and queued to the chain (the worker finds the next one waiting). */
const AHEAD = 2;

/** A pass submitted for a stream, with who still holds its output and its input. */
interface Pass extends BatchPass {
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
        const pass = this.submit(batches, at, inside ? from : -1);
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

  /** Submits to the chain; the pass holds its output (for the queue or a read) and its data (for the chain). */
  private submit(data: Buffer, from: number, firstOffset = -1): Pass {
    const pass: Pass = { ...this.submitter.submit(data, from, firstOffset), holds: 1, dataHolds: 1, free: null };
    // the chain copies the bytes in (again, should its worker be restarted) until the pass settles
    void pass.result.then(() => dropData(pass), () => dropData(pass));
    return pass;
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
    const pass = this.submit(data, at);
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
