/// <reference path="./webassembly.d.ts" />
// @eddy/smartengine: runs Fluvio-compatible WebAssembly SmartModules in sandboxed worker threads.
export { SmartEngine } from './smart_engine.ts';
export { SmartChain } from './smart_chain.ts';
// Fetched record batches through a chain: one path for the broker's streams and clients' local chains.
export { PassSubmitter, sectionOf, type BatchPass } from './pass_submitter.ts';
export {
  SmartModuleError,
  SmartModuleLoadError,
  SmartModuleInitError,
  SmartModuleRuntimeError,
  SmartModuleLookBackError,
  SmartModuleTimeoutError,
  SmartModuleMemoryError,
  SmartModuleTrapError,
  SmartModuleAbiError,
  SmartModuleClosedError,
  smartModuleMessage,
  type RecordFailure,
  type SmartModuleErrorCode,
} from './errors.ts';
export { SmartModuleFailure, errorInfo, toWireError } from './wire_error.ts';
export {
  SmartModuleKind,
  kindName,
  TRANSFORM_EXPORTS,
  SMARTMODULE_MIN_VERSION,
  SMARTMODULE_LATEST_VERSION,
  SMARTMODULE_TIMESTAMPS_VERSION,
  SMARTMODULE_LOOKBACK_VERSION,
  SMARTMODULE_LOOKBACK_AGE_VERSION,
  SMARTMODULE_LAST_PARAMS_VERSION,
  type SmartModuleKindName,
  type TransformName,
} from './abi.ts';
export type {
  SmartEngineOptions,
  SmartModuleSpec,
  SmartModuleInfo,
  ChainModuleInfo,
  RecordBatchInput,
  ProcessResult,
  BatchesResult,
  LookBackSource,
  LookBackRecords,
  LookbackConfig,
  SmartModuleLogger,
  SmartModuleLogLine,
} from './types.ts';
// The memory cap (rewrites the module's declared maximum), shared with graph operators.
export { capMemory, isWasm, WasmBinaryError, type MemoryLimits } from './wasm_binary.ts';
