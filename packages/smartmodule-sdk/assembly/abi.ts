// The Fluvio SmartModule ABI: the one import, the allocator exports and the status codes.
// Constants follow fluvio-smartmodule's error.rs and fluvio-protocol's SmartModuleKind.

/** The host copies our encoded output out of memory [ptr, ptr + len) during this call. */
// @ts-ignore: decorator
@external("env", "copy_records")
export declare function copy_records(ptr: i32, len: i32): void;

/** First version whose SmartModuleExtraParams carries `lookback: Option<Lookback>`. */
export const VERSION_LOOKBACK: i32 = 20;
/** First version whose Lookback carries `age: Option<Duration>`. */
export const VERSION_LOOKBACK_AGE: i32 = 21;
/** First version whose SmartModuleInput carries `base_timestamp`. */
export const VERSION_TIMESTAMPS: i32 = 22;
/** Last version whose SmartModuleInput carries the deprecated `params` (max_version is inclusive). */
export const VERSION_LAST_PARAMS: i32 = 22;
/** First version whose SmartModuleInput carries `join_record`. */
export const VERSION_JOIN_RECORD: i32 = 16;

/** SmartModuleKind tags as encoded (u8) in a transform runtime error. */
export const KIND_FILTER: u8 = 0;
export const KIND_MAP: u8 = 1;
export const KIND_ARRAY_MAP: u8 = 2;
export const KIND_AGGREGATE: u8 = 3;
export const KIND_FILTER_MAP: u8 = 4;

/** SmartModuleTransformErrorStatus. */
export const STATUS_UNKNOWN_ERROR: i32 = -1;
export const STATUS_DECODING_BASE_INPUT: i32 = -11;
export const STATUS_DECODING_RECORDS: i32 = -22;
export const STATUS_ENCODING_OUTPUT: i32 = -33;
export const STATUS_PARSING_EXTRA_PARAMS: i32 = -44;

/** SmartModuleInitErrorStatus. */
export const INIT_STATUS_INIT_ERROR: i32 = -2;
export const INIT_STATUS_DECODING_INPUT: i32 = -10;

/** SmartModuleLookbackErrorStatus: an error was written with copy_records. */
export const LOOKBACK_STATUS_PROPAGATED_ERROR: i32 = -10;

// The host writes each call's input into one reusable buffer: a module instance serves
// one call at a time, so the buffer is free again when the next `alloc` comes.
let inputBuffer: usize = 0;
let inputCapacity: usize = 0;

/** ABI export: memory for `len` bytes of input. */
export function alloc(len: i32): i32 {
  const n = <usize>max(len, 1);
  if (n > inputCapacity) {
    if (inputBuffer != 0) heap.free(inputBuffer);
    let cap = inputCapacity < 4096 ? <usize>4096 : inputCapacity;
    while (cap < n) cap <<= 1;
    inputBuffer = heap.alloc(cap);
    inputCapacity = cap;
  }
  return <i32>inputBuffer;
}

/** ABI export: releases memory from `alloc`. The input buffer is kept for the next call. */
export function dealloc(ptr: i32, len: i32): void {
  // Only the input buffer is ever handed out, and it is reused rather than freed.
}
