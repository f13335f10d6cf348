import { EddyError } from '@eddy/protocol';
import { backoffDelay } from '../backoff.ts';
import type { Accumulator, ProducerBatch } from './accumulator.ts';
import type { ProducerLimits } from './options.ts';

/**
 * Retries of failed batches and giving up: a batch that failed with a retriable error goes back
 * to its partition's queue after a backoff while attempts remain. A batch that ran out of them
 * fails the batches made before it too (of its partition, or of every partition when the request
 * itself failed: the broker is unreachable), with the same error.
 */
export class BatchRetry {
  /** Batches re-sent since the producer was created. */
  retried = 0;
  private readonly acc: Accumulator;
  private readonly partitionCount: number;
  private readonly limits: ProducerLimits;
  private readonly settle: (b: ProducerBatch, err: Error) => void;
  private readonly onRetry: ((attempt: number, retries: number, err: Error) => void) | null;
  /**
   * Per partition: a batch ran out of retries with this error; batches made before `seq` fail
   * with it at once instead of each going through its own retry cycle (newer ones get a fresh try).
   */
  private readonly gaveUp = new Map<number, { seq: number; err: Error }>();

  constructor(
    acc: Accumulator, partitionCount: number, limits: ProducerLimits, settle: (b: ProducerBatch, err: Error) => void,
    onRetry: ((attempt: number, retries: number, err: Error) => void) | null = null,
  ) {
    this.acc = acc;
    this.onRetry = onRetry;
    this.partitionCount = partitionCount;
    this.limits = limits;
    this.settle = settle;
  }

  /** Requeues `b` for another attempt when `err` allows it (and the producer is not closed), else fails it. */
  fail(b: ProducerBatch, err: Error, wholeTopic: boolean, closed: boolean): void {
    if (err instanceof EddyError && err.retriable && !closed) {
      const gone = this.gaveUp.get(b.partition);
      if (gone !== undefined && b.seq < gone.seq) {
        this.settle(b, gone.err);
        return;
      }
      if (b.attempts < this.limits.retries) {
        b.attempts++;
        this.retried++;
        this.onRetry?.(b.attempts, this.limits.retries, err);
        b.retryAtMs = Date.now() + backoffDelay(b.attempts - 1, { initialMs: this.limits.retryBackoffMs, maxMs: this.limits.maxRetryBackoffMs });
        this.acc.requeue(b);
        return;
      }
      this.settle(b, err);
      this.giveUp(wholeTopic ? null : b.partition, err);
      return;
    }
    this.settle(b, err);
  }

  /** Fails every batch made so far of `partition` (null: all partitions) that is not in flight; in-flight ones fail when they come back. */
  private giveUp(partition: number | null, err: Error): void {
    const seq = this.acc.nextSeq;
    const parts = partition === null ? Array.from({ length: this.partitionCount }, (_, i) => i) : [partition];
    for (const p of parts) {
      this.gaveUp.set(p, { seq, err });
      for (const q of this.acc.takeUnsent(p)) this.settle(q, err);
    }
  }
}
