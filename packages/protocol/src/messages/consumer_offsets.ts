import { struct, array, i16, i32, i64, option, string } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

/** Named consumer offsets: the next offset the consumer will read, per partition. */
export const OffsetCommitRequest = struct({
  consumer: string,
  topic: string,
  partitions: array(struct({ partition: i32, offset: i64 })),
});
export type OffsetCommitRequest = Infer<typeof OffsetCommitRequest>;

/** An empty partition list asks for all partitions. */
export const OffsetFetchRequest = struct({ consumer: string, topic: string, partitions: array(i32) });
export type OffsetFetchRequest = Infer<typeof OffsetFetchRequest>;

export const OffsetFetchResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  /** offset -1 = nothing committed. */
  partitions: array(struct({ partition: i32, offset: i64 })),
});
export type OffsetFetchResponse = Infer<typeof OffsetFetchResponse>;

export const ListConsumersRequest = struct({ topic: option(string) });
export type ListConsumersRequest = Infer<typeof ListConsumersRequest>;

export const ConsumerOffsetInfo = struct({
  consumer: string,
  topic: string,
  partition: i32,
  offset: i64,
  modifiedMs: i64,
});
export type ConsumerOffsetInfo = Infer<typeof ConsumerOffsetInfo>;

export const ListConsumersResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  consumers: array(ConsumerOffsetInfo),
});
export type ListConsumersResponse = Infer<typeof ListConsumersResponse>;

/** Deletes a consumer's offsets: for one topic, or all topics when `topic` is none. */
export const DeleteConsumerRequest = struct({ consumer: string, topic: option(string) });
export type DeleteConsumerRequest = Infer<typeof DeleteConsumerRequest>;
