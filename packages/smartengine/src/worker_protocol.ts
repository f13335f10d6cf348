// Messages between the engine (main thread) and its sandbox workers.
// One message each way per batch ('process') or per run of whole batches ('batches'); bytes
// travel through SharedArrayBuffers: input slots, and for 'batches' an output buffer the host
// lends per call (reused once the caller is done with the result).
import type { TransformName } from './abi.ts';
import type { LookbackConfig } from './input_codec.ts';
import type { RecordErrorFields, TransformErrorFields } from './output_codec.ts';

export interface ModuleSetup {
  name: string;
  module: WebAssembly.Module;
  copyRecordsModule: string;
  transform: TransformName;
  version: number;
  params: Record<string, string>;
  lookback: LookbackConfig | undefined;
  /** Current accumulator of an aggregate (initial value, or the last one seen on restart). */
  accumulator: Uint8Array | null;
}

export interface CreateRequest {
  t: 'create';
  req: number;
  chain: number;
  modules: ModuleSetup[];
  memoryLimitBytes: number;
}

export interface ProcessRequest {
  t: 'process';
  req: number;
  chain: number;
  slot: number;
  /** Sent when the worker does not know this slot's buffer yet. */
  sab?: SharedArrayBuffer;
  len: number;
  baseOffset: bigint;
  baseTimestamp: bigint;
}

/** Whole record batches (uncompressed records sections) back to back in the slot; one reply for all. */
export interface BatchesRequest {
  t: 'batches';
  req: number;
  chain: number;
  slot: number;
  /** Sent when the worker does not know this slot's buffer yet. */
  sab?: SharedArrayBuffer;
  len: number;
  /** Where to write the output batches (what does not fit comes back in `spilled`). */
  out: SharedArrayBuffer;
}

export interface LookBackInput {
  module: number;
  records: Uint8Array;
  baseOffset: bigint;
  baseTimestamp: bigint;
}

export interface LookBackRequest {
  t: 'lookback';
  req: number;
  chain: number;
  inputs: LookBackInput[];
}

export interface DropRequest {
  t: 'drop';
  chain: number;
}

export type WorkerRequest = CreateRequest | ProcessRequest | BatchesRequest | LookBackRequest | DropRequest;

export type ErrorPayload =
  | { type: 'load'; module: number; detail: string }
  | { type: 'init'; module: number; hint: string }
  | { type: 'lookback'; module: number; fields: RecordErrorFields }
  | { type: 'memory'; module: number; detail: string }
  | { type: 'trap'; module: number; detail: string }
  | { type: 'abi'; module: number; status: number; detail: string };

export interface OkReply {
  t: 'ok';
  req: number;
}

export interface DoneReply {
  t: 'done';
  req: number;
  len: number;
  count: number;
  error?: { module: number; fields: TransformErrorFields };
  /** Accumulators of the chain's aggregate modules after this batch (for restarts). */
  accumulators?: Array<[module: number, value: Uint8Array]>;
  /** A bigger buffer the worker had to allocate for this slot's output. */
  sab?: SharedArrayBuffer;
}

export interface BatchesReply {
  t: 'batches-done';
  req: number;
  /** Bytes of output batches. */
  len: number;
  /** The output when it did not fit the request's `out` buffer (transferred), else null: it is in `out`. */
  spilled: ArrayBuffer | null;
  /** Records in `out`. */
  count: number;
  /** Per input batch processed: end of its output in `out` (fewer than the input's batches after a record error). */
  ends: Int32Array;
  error?: { module: number; fields: TransformErrorFields };
  accumulators?: Array<[module: number, value: Uint8Array]>;
}

export interface FailReply {
  t: 'fail';
  req: number;
  error: ErrorPayload;
}

export interface LogMessage {
  t: 'log';
  chain: number;
  module: number;
  fd: 1 | 2;
  text: string;
}

export type WorkerReply = OkReply | DoneReply | BatchesReply | FailReply | LogMessage;

/**
 * Layout of the status SharedArrayBuffer a worker updates around every guest call,
 * read by the engine's watchdog: Int32 [sequence, chain id (0 = idle), module index], Float64 at byte 16: start (ms since epoch).
 */
export const STATUS_BYTES = 24;
export const STATUS_SEQ = 0;
export const STATUS_CHAIN = 1;
export const STATUS_MODULE = 2;
export const STATUS_START_F64_INDEX = 2; // Float64Array index (byte 16)

export interface WorkerData {
  status: SharedArrayBuffer;
}
