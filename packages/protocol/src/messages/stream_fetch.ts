import { struct, array, i8, i16, i32, i64, option, string, bytes, bool } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';
import { SmartModuleInvocation, SmartModuleErrorInfo } from './smartmodule_invocation.ts';

/** Where a stream starts. `value` is the offset, the count from the end, or the timestamp. */
export const OffsetStart = {
  Absolute: 0,
  Beginning: 1,
  End: 2,
  FromEnd: 3,
  Timestamp: 4,
} as const;
export type OffsetStart = (typeof OffsetStart)[keyof typeof OffsetStart];

/**
 * Opens a stream: the SPU answers with any number of StreamFetchResponse frames carrying this
 * request's correlation id, pushing batches as they are written. Flow control: the SPU keeps at
 * most `windowBytes` of sent-but-unacknowledged records in flight (see StreamFetchAck);
 * windowBytes <= 0 = no window (TCP backpressure only); maxBytes <= 0 = 1 MiB per response.
 * stopAtEnd stops at the high watermark as it was when the stream started.
 */
export const StreamFetchRequest = struct({
  topic: string,
  partition: i32,
  startKind: i8,
  startValue: i64,
  /** Stop after this offset (inclusive); -1 = never. */
  endOffset: i64,
  /** Stop once caught up with the high watermark instead of waiting for more. */
  stopAtEnd: bool,
  maxBytes: i32,
  windowBytes: i32,
  smartmodules: array(SmartModuleInvocation),
});
export type StreamFetchRequest = Infer<typeof StreamFetchRequest>;

export const StreamFetchResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  partition: i32,
  /** The offset the stream resolved to start at (first response only; -1 after). */
  startOffset: i64,
  highWatermark: i64,
  logStartOffset: i64,
  /**
   * The offset the next batch will start from. With a filter, skipped offsets leave no record
   * behind, so this is how a consumer knows how far it has read (Fluvio's next_filter_offset).
   */
  nextOffset: i64,
  /** The stream has ended (end offset reached, stopAtEnd and caught up, closed, or error). */
  endOfStream: bool,
  smartModuleError: option(SmartModuleErrorInfo),
  /** Whole record batches; the first may begin before the requested offset. Last: sent by reference. */
  records: bytes,
});
export type StreamFetchResponse = Infer<typeof StreamFetchResponse>;

/**
 * One-way (no response): the consumer has processed everything before `offset`, and `bytes` more
 * record bytes since its previous ack (incremental). `streamId` is the StreamFetch's correlation id
 * (also for StreamFetchClose, which closes a WatchMetadata stream the same way).
 */
export const StreamFetchAck = struct({ streamId: i32, offset: i64, bytes: i32 });
export type StreamFetchAck = Infer<typeof StreamFetchAck>;

export const StreamFetchClose = struct({ streamId: i32 });
export type StreamFetchClose = Infer<typeof StreamFetchClose>;

export const StatusResponse = struct({ errorCode: i16, errorMessage: option(string) });
export type StatusResponse = Infer<typeof StatusResponse>;

export const StreamIds = array(i32);
