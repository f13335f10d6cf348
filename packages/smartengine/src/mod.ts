/// <reference path="./webassembly.d.ts" />
// @eddy/smartengine: runs Fluvio-compatible WebAssembly SmartModules in sandboxed worker threads.
// What the broker and clients share beyond this face is in internal_mod.ts (`./internal`); the
// error types alone, without the engine, are `./errors` (errors_entry.ts).
export { SmartEngine } from './smart_engine.ts';
export { SmartChain } from './smart_chain.ts';
// The error types, their one wording and their wire mapping: the same list as `./errors`.
export * from './errors_entry.ts';
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
