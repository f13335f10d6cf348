import { struct, array, i16, i32, i64, option, string, bytes } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';
import { SmartModuleInvocation, SmartModuleErrorInfo } from './smartmodule_invocation.ts';

/** acks: 0 = no response, 1 = after the leader stored it (per the topic's flush policy). */
export const ProduceRequest = struct({
  acks: i16,
  timeoutMs: i32,
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partition: i32,
      /** One or more whole record batches, concatenated as stored. */
      records: bytes,
    })),
  })),
  smartmodules: array(SmartModuleInvocation),
});
export type ProduceRequest = Infer<typeof ProduceRequest>;

export const ProduceResponse = struct({
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partition: i32,
      errorCode: i16,
      errorMessage: option(string),
      baseOffset: i64,
      lastOffset: i64,
      smartModuleError: option(SmartModuleErrorInfo),
    })),
  })),
});
export type ProduceResponse = Infer<typeof ProduceResponse>;
