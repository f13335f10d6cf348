// @eddy/dataflow: dataflow graphs of WebAssembly operators over event time, in the shape of
// Azure IoT Operations' graph definitions. ABI.md (beside this package) fixes the operator ABI.
//
//   loadGraph(text, opts) → plan          definition/ (YAML, JSON Schema, graph rules, drawings)
//   compileOperatorModule(ref, wasm)       host/ (checks a module, caps its memory)
//   new GraphInstance({plan, modules, node, allowedLatenessMs, snapshot?})
//     .process(messages) → {output, firstSeq, late}; .flush(); .snapshot()
//   runGraphTest({definition, modules, input}) → sink outputs (`eddy graph test`)
//
// What the broker's graph runner shares beyond this face (log records ↔ graph messages, operator
// metrics) is in internal_mod.ts (`@eddy/dataflow/internal`).
export * from './definition/index.ts';
export {
  MessageBatch,
  MessageBatchBuilder,
  MessageBatchError,
  KIND_RAW,
  KIND_MESSAGE,
  KIND_SNAPSHOT,
  SNAPSHOT_PREFIX_BYTES,
  readTimestamp,
  type MessageFields,
  type DecodedMessage,
} from './abi/message_batch.ts';
export { type Hlc, HybridClock, compareHlc, formatHlc } from './time/hlc.ts';
export { NS_PER_MS, formatNanosIso, parseNanosIso, nsFromMs } from './time/nanos.ts';
export { StateStore, SetCondition, StateSnapshotError, type SetOptions, type StateResult } from './host/state_store.ts';
export { GraphModuleError, GraphOperatorError, type OperatorFailure } from './host/errors.ts';
export {
  compileOperatorModule,
  GRAPH_ABI_VERSION,
  OPERATOR_EXPORTS,
  DEFAULT_MAX_MEMORY_BYTES,
  type CompiledOperatorModule,
  type ModuleOperatorType,
} from './host/operator_module.ts';
export { OperatorInstance, type OperatorHost, type OperatorStateStore, type OperatorInstanceOptions } from './host/operator_instance.ts';
export { WasiNnHost, WASI_NN_MODULE, WASI_NN_FEATURE, WASI_NN_IMPORTS } from './host/wasi_nn.ts';
export {
  GraphInstance,
  GraphSnapshotError,
  type GraphInstanceOptions,
  type OperationStats,
  type StepResult,
} from './runtime/graph_instance.ts';
export {
  runGraphTest,
  parseTestMessages,
  GraphTestInputError,
  type TestMessage,
  type ParseTestMessagesOptions,
  type TestOutput,
  type GraphTestOptions,
  type GraphTestResult,
} from './runtime/graph_test_run.ts';
