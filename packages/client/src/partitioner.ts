import { murmur2 } from './murmur2.ts';

/** Picks a partition in [0, partitionCount) for a record. Called once per record without an explicit partition. */
export type Partitioner = (key: Uint8Array | null, partitionCount: number) => number;

/**
 * The default partitioner: a keyed record goes to `(murmur2(key) & 0x7fffffff) % partitionCount`
 * (Kafka's choice, so keys map to the same partitions as in Kafka); records without a key go
 * round robin, one record per partition in turn (Fluvio's behaviour). Each producer gets its own
 * instance because round robin keeps a counter.
 */
export function defaultPartitioner(): Partitioner {
  let next = 0;
  return (key, partitionCount) => {
    if (key !== null) return (murmur2(key) & 0x7fffffff) % partitionCount;
    const p = next % partitionCount;
    next = (p + 1) % partitionCount;
    return p;
  };
}

/** Partition a key maps to with the default partitioner. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}
