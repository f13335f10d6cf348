import type { Schema } from '../codec/schema.ts';

/**
 * The `records` field of a Produce partition given as several whole batches: on the wire exactly
 * `bytes` of their concatenation (u32 total length, then the batches back to back), but each batch
 * is written as its own part, so a producer's batches are never joined into a new buffer. Decodes
 * as one view of the whole field.
 */
export const batchList: Schema<readonly Uint8Array[]> = {
  write(w, v) {
    let n = 0;
    for (let i = 0; i < v.length; i++) n += v[i].length;
    w.u32(n);
    for (let i = 0; i < v.length; i++) w.raw(v[i]);
  },
  read(r) { return [r.bytes()]; },
};
