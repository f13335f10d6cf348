import { struct, array, i16, i32, i64, option, string } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

/** `timestamp` -1 = none; otherwise also resolve the first offset at or after it. */
export const ListOffsetsRequest = struct({
  topic: string,
  partitions: array(struct({ partition: i32, timestamp: i64 })),
});
export type ListOffsetsRequest = Infer<typeof ListOffsetsRequest>;

export const ListOffsetsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  partitions: array(struct({
    partition: i32,
    errorCode: i16,
    logStartOffset: i64,
    highWatermark: i64,
    timestampOffset: i64,
  })),
});
export type ListOffsetsResponse = Infer<typeof ListOffsetsResponse>;
