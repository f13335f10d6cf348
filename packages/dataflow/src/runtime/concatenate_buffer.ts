/**
 * A concatenate operation's buffer: it merges its inputs by holding every message until the
 * frontier passes its timestamp, then releases them in (key, timestamp, canonical) order.
 */
import { MessageBatchBuilder, M_PHYSICAL, compareTimestampBytes } from '../abi/message_batch.ts';
import type { Chunk } from './message_chunk.ts';
import type { FrontierSteps } from './frontier_steps.ts';
import { canonical, heldTimestamp, type Held, type HeldBuffer } from './held_buffer.ts';

export class ConcatenateBuffer implements HeldBuffer {
  /** Held messages in arrival order. */
  private held: Held[] = [];

  get size(): number {
    return this.held.length;
  }

  add(h: Held): void {
    this.held.push(h);
  }

  forEach(fn: (h: Held) => void): void {
    this.held.forEach(fn);
  }

  release(steps: FrontierSteps): Chunk | null {
    const keep: Held[] = [];
    const due: (Held & { key: number })[] = [];
    for (const h of this.held) {
      const key = steps.releaseKey(heldTimestamp(h));
      if (key < 0) keep.push(h);
      else due.push({ ...h, key: Math.max(key, h.order) });
    }
    if (due.length === 0) return null;
    this.held = keep;
    due.sort((a, b) => a.key - b.key || compareTimestampBytes(a.bytes, M_PHYSICAL, b.bytes, M_PHYSICAL) || canonical(a, b));
    const out = new MessageBatchBuilder();
    const order = new Float64Array(due.length);
    const origin = new Float64Array(due.length);
    due.forEach((h, i) => {
      out.append(h.bytes);
      order[i] = h.key;
      origin[i] = h.origin;
    });
    return { batch: out.finish(), order, origin };
  }
}
