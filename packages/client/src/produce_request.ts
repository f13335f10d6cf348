import { schema, SmartModuleInvocation } from '@eddy/protocol';
import type { Infer, Schema } from '@eddy/protocol';

/**
 * The ProduceRequest layout with each partition's `records` given as several batches. On the wire
 * it is exactly protocol's ProduceRequest (u32 total length, then the batches back to back), but
 * the batches are written as separate parts, so they are never concatenated into a new buffer.
 */
const batchList: Schema<Buffer[]> = {
  write(w, v) {
    let n = 0;
    for (const b of v) n += b.length;
    w.u32(n);
    for (const b of v) w.raw(b);
  },
  read(r) { return [r.bytes()]; },
};

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
