import type { ProducerBatch } from './accumulator.ts';

/** Where a produced record was stored. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * What send() returns: a promise of the record's metadata that costs one small object until
 * someone awaits it. All records of a batch share the batch's promise (offset = base + index),
 * (with a local SmartModule chain, the index of its output record; -1 when dropped),
 * and an ignored future never raises an unhandled rejection (errors also surface in flush()).
 * Works with await, then/catch/finally, Promise.all and Promise.resolve; `instanceof Promise` is false.
 */
export class RecordFuture implements Promise<RecordMetadata> {
  readonly topic: string;
  readonly batch: ProducerBatch;
  readonly index: number;

  constructor(topic: string, batch: ProducerBatch, index: number) {
    this.topic = topic;
    this.batch = batch;
    this.index = index;
  }

  get partition(): number { return this.batch.partition; }

  /** The record's offset given its batch's base offset; -1 when a local SmartModule dropped it. */
  offsetFrom(base: number): number {
    const map = this.batch.outputIndex;
    if (map === null) return base + this.index;
    const i = map[this.index];
    return i < 0 || base < 0 ? -1 : base + i;
  }

  then<A = RecordMetadata, B = never>(
    onFulfilled?: ((value: RecordMetadata) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.batch.promise.then(
      (base) => {
        const meta: RecordMetadata = { topic: this.topic, partition: this.batch.partition, offset: this.offsetFrom(base) };
        return onFulfilled ? onFulfilled(meta) : (meta as A);
      },
      onRejected,
    );
  }

  catch<B = never>(onRejected?: ((reason: any) => B | PromiseLike<B>) | null): Promise<RecordMetadata | B> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<RecordMetadata> {
    return this.then().finally(onFinally);
  }

  get [Symbol.toStringTag](): string { return 'Promise'; }
}
