// Public shapes of the SmartModule engine API.
import type { TransformName } from './abi.ts';
import type { SmartModuleRuntimeError } from './errors.ts';
import type { LookbackConfig } from './input_codec.ts';

export type { LookbackConfig, TransformName };

export interface SmartEngineOptions {
  /** Cap on each instance's linear memory. Default 64 MiB. */
  memoryLimitBytes?: number;
  /** Longest a single guest call (init, look_back, a transform over one batch) may run. Default 1000 ms. */
  timeBudgetMs?: number;
  /** Sandbox worker threads; chains are spread over them. Default os.availableParallelism(). */
  workers?: number;
  /** JS heap cap per worker (resourceLimits.maxOldGenerationSizeMb); guest memory is capped separately. Default 256. */
  workerHeapMb?: number;
  /** Where guests' stdout/stderr lines go. Default: process.stderr, prefixed with the module name. */
  logger?: SmartModuleLogger;
}

export interface SmartModuleLogLine {
  /** The spec's name. */
  module: string;
  chain: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type SmartModuleLogger = (line: SmartModuleLogLine) => void;

export interface SmartModuleSpec {
  /** Shown in errors and logs (e.g. the registered SmartModule name, or the file name). */
  name: string;
  wasm: Uint8Array;
  /** Passed to `init` (and, for ABI versions <= 22, inside every input as Fluvio did). */
  params?: Readonly<Record<string, string>>;
  /** Look-back wanted by this module; the caller reads those records and hands them to `chain.lookBack`. */
  lookback?: LookbackConfig;
  /** Starting accumulator of an aggregate (ignored for other transforms). Default empty. */
  initialAccumulator?: Uint8Array;
  /** SmartModule ABI version the module is called with, 16..25. Default 25 (the newest). */
  version?: number;
}

/** One batch: a records section (u32 count + records) as stored, with its batch's base offset and timestamp. */
export interface RecordBatchInput {
  baseOffset: number | bigint;
  /** The batch's first timestamp (ms). Default 0, as in Fluvio. */
  baseTimestamp?: number | bigint;
  /** u32 count + records. Must not change until the returned promise settles. */
  records: Uint8Array;
}

export interface ProcessResult {
  /** The chain's output as a records section (u32 count + records); offset deltas are relative to the batch's baseOffset. */
  records: Uint8Array;
  count: number;
  /** Set when a module rejected a record; `records` holds the output of the records before it. */
  error?: SmartModuleRuntimeError;
}

/** What SmartChain.processBatches made of a run of record batches. */
export interface BatchesResult {
  /**
   * Output record batches back to back: one per input batch that kept records, with that
   * batch's base offset, first timestamp and producer fields, compression none, CRC set.
   * Offsets are the input's (offset deltas as the chain returned them).
   */
  batches: Buffer;
  /** Records in `batches`. */
  count: number;
  /**
   * For each input batch processed, in order: the end of its output within `batches` (the
   * previous end when all its records were dropped). Shorter than the input after a record error.
   */
  ends: Int32Array;
  /** Set when a module rejected a record; processing stopped after that record's batch. */
  error?: SmartModuleRuntimeError;
  /**
   * Gives `batches`' memory back to the chain for reuse; call once nothing looks at it any more
   * (the bytes change afterwards). Optional: without it the memory is left to the GC. Idempotent.
   */
  release(): void;
}

/** What a module offers, read from its exports. */
export interface SmartModuleInfo {
  sha256: string;
  /** The transform Fluvio would pick: the first of filter, map, filter_map, array_map, aggregate. */
  transform: TransformName;
  hasInit: boolean;
  hasLookBack: boolean;
  /** True when it imports WASI preview 1 functions. */
  usesWasi: boolean;
  /** Module name under which it imports copy_records (usually "env"). */
  copyRecordsModule: string;
}

export interface ChainModuleInfo extends SmartModuleInfo {
  name: string;
  version: number;
  lookback?: LookbackConfig;
}

export interface LookBackRecords {
  /** u32 count + records. */
  records: Uint8Array;
  baseOffset?: number | bigint;
  baseTimestamp?: number | bigint;
}

/**
 * Records for look-back: one records section used for every module that asked for
 * look-back, or a function called per such module with its look-back config.
 */
export type LookBackSource =
  | Uint8Array
  | LookBackRecords
  | ((module: ChainModuleInfo & { lookback: LookbackConfig }, index: number) => Uint8Array | LookBackRecords | Promise<Uint8Array | LookBackRecords>);
