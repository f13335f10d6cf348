/**
 * An accumulate operation's buffer: held messages grouped by timestamp. When the frontier
 * passes a timestamp, its group (in canonical order) goes to the module's accumulate, which
 * returns one message.
 */
import { MessageBatchBuilder, M_PHYSICAL, compareTimestampBytes, type MessageBatch } from '../abi/message_batch.ts';
import type { Chunk } from './message_chunk.ts';
import type { FrontierSteps } from './frontier_steps.ts';
import { canonical, heldTimestamp, type Held, type HeldBuffer } from './held_buffer.ts';

export class AccumulateBuffer implements HeldBuffer {
  /** Groups by timestamp (its 16 bytes as latin1), in arrival order of their first message. */
  private readonly groups = new Map<string, Held[]>();
  private readonly accumulate: (group: MessageBatch) => Uint8Array;

  constructor(accumulate: (group: MessageBatch) => Uint8Array) {
    this.accumulate = accumulate;
  }

  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.length;
    return n;
  }

  add(h: Held): void {
    const key = h.bytes.toString('latin1', M_PHYSICAL, M_PHYSICAL + 16);
    const g = this.groups.get(key);
    if (g) g.push(h);
    else this.groups.set(key, [h]);
  }

  forEach(fn: (h: Held) => void): void {
    for (const g of this.groups.values()) g.forEach(fn);
  }

  release(steps: FrontierSteps): Chunk | null {
    const due: { ts: Buffer; key: number; group: Held[] }[] = [];
    for (const [k, group] of this.groups) {
      const ts = heldTimestamp(group[0]);
      const key = steps.releaseKey(ts);
      if (key < 0) continue;
      this.groups.delete(k);
      due.push({ ts, key, group });
    }
    if (due.length === 0) return null;
    due.sort((a, b) => a.key - b.key || compareTimestampBytes(a.ts, 0, b.ts, 0));
    const out = new MessageBatchBuilder();
    const order = new Float64Array(due.length);
    const origin = new Float64Array(due.length);
    due.forEach((d, i) => {
      d.group.sort(canonical);
      const gb = new MessageBatchBuilder();
      let maxOrder = 0;
      let minOrigin = Number.POSITIVE_INFINITY;
      for (const h of d.group) {
        gb.append(h.bytes);
        maxOrder = Math.max(maxOrder, h.order);
        minOrigin = Math.min(minOrigin, h.origin);
      }
      out.append(this.accumulate(gb.finish()));
      // Not before its last cause: a message may join after the frontier passed its timestamp.
      order[i] = Math.max(d.key, maxOrder);
      origin[i] = minOrigin;
    });
    return { batch: out.finish(), order, origin };
  }
}
