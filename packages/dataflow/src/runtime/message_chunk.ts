/** Messages in flight between a graph's operations, with what orders them at the sink. */
import { MessageBatchBuilder, type MessageBatch } from '../abi/message_batch.ts';

/**
 * A batch moving along one connection. `order[i]` is message i's order key (see
 * graph_instance.ts) and `origin[i]` the event time (whole ms) of the source message that caused it.
 */
export interface Chunk {
  batch: MessageBatch;
  order: Float64Array;
  origin: Float64Array;
}

/**
 * The messages whose decision byte is (non-zero) == want, with their keys: a filter's kept
 * messages or one arm of a branch. Runs of kept messages are copied at once.
 */
export function selectChunk(c: Chunk, decision: Uint8Array, want: 0 | 1): Chunk {
  let n = 0;
  for (let i = 0; i < decision.length; i++) if ((decision[i] !== 0 ? 1 : 0) === want) n++;
  if (n === c.batch.count) return c;
  const b = new MessageBatchBuilder(c.batch.bytes.length, n);
  const order = new Float64Array(n);
  const origin = new Float64Array(n);
  let k = 0;
  let runStart = -1;
  for (let i = 0; i <= decision.length; i++) {
    const keep = i < decision.length && (decision[i] !== 0 ? 1 : 0) === want;
    if (keep) {
      if (runStart < 0) runStart = i;
      order[k] = c.order[i];
      origin[k] = c.origin[i];
      k++;
    } else if (runStart >= 0) {
      b.appendRange(c.batch, runStart, i);
      runStart = -1;
    }
  }
  return { batch: b.finish(), order, origin };
}
