// Per-batch submission of stored batches to a chain (the producer side: one `process` call per
// batch, each output rebuilt on its own). Stored records sections go as they are; compressed
// ones are decompressed first (smartengine's sectionOf, as on the fetch side), off the main
// thread where the codec allows.

import { batchBaseOffset } from '@eddy/protocol';
import { BatchLayout, batchTotalSize, readInt64BE } from '@eddy/protocol/internal';
import { sectionOf } from '@eddy/smartengine/internal';
import type { ProcessResult, SmartChain } from '@eddy/smartengine';

/** One stored batch handed to the chain. */
export interface Submitted {
  input: Buffer;
  pos: number;
  baseOffset: number;
  /** Offset after the batch (base + last_offset_delta + 1). */
  nextOffset: number;
  result: Promise<ProcessResult>;
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
