import { SmartModuleInvocation } from '@eddy/protocol';
import { batchList, schema } from '@eddy/protocol/internal';
import type { Infer } from '@eddy/protocol/internal';

/**
 * Protocol's ProduceRequest with each partition's `records` given as several batches (protocol's
 * batchList): the same bytes on the wire, but the batches travel as separate parts and are never
 * concatenated into a new buffer.
 */
export const ProduceRequestParts = schema.struct({
  acks: schema.i16,
  timeoutMs: schema.i32,
  topics: schema.array(schema.struct({
    name: schema.string,
    partitions: schema.array(schema.struct({ partition: schema.i32, records: batchList })),
  })),
  smartmodules: schema.array(SmartModuleInvocation),
});
export type ProduceRequestParts = Infer<typeof ProduceRequestParts>;
