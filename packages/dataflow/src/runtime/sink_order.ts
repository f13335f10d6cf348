/**
 * The sink's deterministic order: by (order key, timestamp, source event time, message bytes).
 * Chunks arriving at the sink from several inputs are merged into one batch in that order.
 */
import { MessageBatch, MessageBatchBuilder, M_PHYSICAL, compareTimestampBytes } from '../abi/message_batch.ts';
import type { Chunk } from './message_chunk.ts';

/** The sink's input chunks as one batch in the sink's order. */
export function mergeInOrder(chunks: Chunk[]): MessageBatch {
  if (chunks.length === 0) return MessageBatch.EMPTY;
  const sorted = chunks.every((c) => isSorted(c.order));
  if (chunks.length === 1 && sorted) return chunks[0].batch;
  if (!sorted) return sortAll(chunks);
  // k-way merge of chunks already in order: no object per message, runs copied at once.
  let total = 0;
  let bytes = 0;
  for (const c of chunks) {
    total += c.batch.count;
    bytes += c.batch.bytes.length;
  }
  const b = new MessageBatchBuilder(bytes, total);
  const pos = new Array<number>(chunks.length).fill(0);
  for (;;) {
    let best = -1;
    for (let k = 0; k < chunks.length; k++) {
      if (pos[k] >= chunks[k].batch.count) continue;
      if (best < 0 || before(chunks[k], pos[k], chunks[best], pos[best])) best = k;
    }
    if (best < 0) break;
    // Take the run of `best` that stays ahead of every other chunk's head.
    const c = chunks[best];
    const from = pos[best];
    let to = from + 1;
    while (to < c.batch.count) {
      let ahead = true;
      for (let k = 0; k < chunks.length && ahead; k++) {
        if (k !== best && pos[k] < chunks[k].batch.count && !before(c, to, chunks[k], pos[k])) ahead = false;
      }
      if (!ahead) break;
      to++;
    }
    b.appendRange(c.batch, from, to);
    pos[best] = to;
  }
  return b.finish();
}

/** Whether message i of a goes before message j of b in the sink's order. */
function before(a: Chunk, i: number, b: Chunk, j: number): boolean {
  return compareItems(a, i, b, j) < 0;
}

function compareItems(a: Chunk, i: number, b: Chunk, j: number): number {
  const d = a.order[i] - b.order[j];
  if (d !== 0) return d;
  const t = compareTimestampBytes(a.batch.bytes, a.batch.offsets[i] + M_PHYSICAL, b.batch.bytes, b.batch.offsets[j] + M_PHYSICAL);
  if (t !== 0) return t;
  return a.origin[i] - b.origin[j] || Buffer.compare(a.batch.message(i), b.batch.message(j));
}

/** Chunks whose keys are out of order (a buffer released behind a direct message): a full sort. */
function sortAll(chunks: Chunk[]): MessageBatch {
  const items: { c: Chunk; i: number }[] = [];
  for (const c of chunks) for (let i = 0; i < c.batch.count; i++) items.push({ c, i });
  items.sort((x, y) => compareItems(x.c, x.i, y.c, y.i));
  const b = new MessageBatchBuilder();
  for (const { c, i } of items) b.appendFrom(c.batch, i);
  return b.finish();
}

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}
