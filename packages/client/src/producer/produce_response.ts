import { EddyError, ErrorCode, errorFromCode, errorCodeName } from '@eddy/protocol';
import type { ProduceResponse } from '@eddy/protocol';
import { SmartModuleFailure } from '@eddy/smartengine/errors';
import type { ProducerBatch } from './accumulator.ts';

/** What becomes of a batch once its request is answered. */
export interface BatchOutcomes {
  /** Resolves (err null, with the batch's base offset) or rejects the batch for good. */
  settle(b: ProducerBatch, err: Error | null, baseOffset?: number): void;
  /** A failed attempt: retried when the error allows, else settled with it. `wholeTopic`: the request itself failed. */
  fail(b: ProducerBatch, err: Error, wholeTopic?: boolean): void;
}

type PartitionAnswer = ProduceResponse['topics'][number]['partitions'][number];

/**
 * Maps a Produce response onto the batches of the request, per partition: base offsets to the
 * batches in the order they were sent, an error code to a retry or a failure, a SmartModule
 * failure (the broker's chain) to a failure of the partition's batches.
 */
export function applyProduceResponse(topic: string, byPartition: Map<number, ProducerBatch[]>, res: ProduceResponse, out: BatchOutcomes): void {
  const answered = new Map<number, PartitionAnswer>();
  for (const t of res.topics) if (t.name === topic) for (const p of t.partitions) answered.set(p.partition, p);
  for (const [partition, list] of byPartition) {
    const p = answered.get(partition);
    if (p === undefined) {
      const err = new EddyError(ErrorCode.InvalidRequest, `produce response for '${topic}' has no entry for partition ${partition}`);
      for (const b of list) out.settle(b, err);
      continue;
    }
    if (p.errorCode !== ErrorCode.None) {
      const err = errorFromCode(p.errorCode, p.errorMessage ?? `${errorCodeName(p.errorCode)} producing to '${topic}' partition ${partition}`);
      for (const b of list) out.fail(b, err);
      continue;
    }
    if (p.smartModuleError) {
      // The broker runs the chain per batch as sent: the offset is the record's index in it.
      const err = new SmartModuleFailure(p.smartModuleError, `a batch for '${topic}' partition ${partition}`);
      for (const b of list) out.settle(b, err);
      continue;
    }
    let base = p.baseOffset;
    for (const b of list) {
      out.settle(b, null, base);
      base += b.storedCount >= 0 ? b.storedCount : b.count;
    }
  }
}
