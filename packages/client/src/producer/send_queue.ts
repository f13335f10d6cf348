import type { Accumulator } from './accumulator.ts';

/** A send (or the rest of a bulk send) waiting for queue room; run() appends it, false: wait again. */
export interface Waiter {
  seq: number;
  size: number;
  run(): boolean;
}

/**
 * Sends waiting for room under the producer's `maxQueueBytes`, in the order they were made: a
 * new send queues behind waiting ones, and they run as acknowledgements free room.
 */
export class SendQueue {
  private readonly acc: Accumulator;
  private readonly maxQueueBytes: number;
  private waiters: Waiter[] = [];
  private seq = 0;
  /** Flushes waiting for queued sends to run. */
  private ranListeners: (() => void)[] = [];

  constructor(acc: Accumulator, maxQueueBytes: number) {
    this.acc = acc;
    this.maxQueueBytes = maxQueueBytes;
  }

  get length(): number {
    return this.waiters.length;
  }

  /** The seq of the last waiter made so far. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Whether a record of `size` bytes must wait for room (or behind sends already waiting, unless it is their head). */
  mustWait(size: number, atHead: boolean): boolean {
    if (!atHead && this.waiters.length > 0) return true; // keep send order
    const q = this.acc.queuedBytes;
    return q > 0 && q + size > this.maxQueueBytes;
  }

  /** A seq for a new waiter (waiters run in seq order). */
  nextSeq(): number {
    return ++this.seq;
  }

  push(w: Waiter): void {
    this.waiters.push(w);
  }

  /** Whether a waiter made at or before `seq` is still waiting. */
  waitingUpTo(seq: number): boolean {
    return this.waiters.length > 0 && this.waiters[0].seq <= seq;
  }

  /** Resolves after the next time waiting sends ran. */
  ran(): Promise<void> {
    return new Promise<void>((resolve) => { this.ranListeners.push(resolve); });
  }

  /** Runs waiting sends, oldest first, while there is room. */
  wake(): void {
    let ran = false;
    while (this.waiters.length > 0) {
      const w = this.waiters[0];
      const q = this.acc.queuedBytes;
      if (q > 0 && q + w.size > this.maxQueueBytes) break;
      this.waiters.shift();
      if (w.run()) {
        ran = true;
      } else {
        this.waiters.unshift(w); // a bulk send that filled the queue again: it stays first
        break;
      }
    }
    if (ran && this.ranListeners.length > 0) {
      const list = this.ranListeners;
      this.ranListeners = [];
      for (const r of list) r();
    }
  }
}
