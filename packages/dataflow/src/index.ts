// @eddy/dataflow: dataflow graphs of WebAssembly operators over event time, in the shape of
// Azure IoT Operations' graph definitions. ABI.md (beside this package) fixes the operator ABI.
//
//   loadGraph(text, opts) → plan          definition/ (YAML, JSON Schema, graph rules, drawings)
//   compileOperatorModule(ref, wasm)       host/ (checks a module, caps its memory)
//   new GraphInstance({plan, modules, node, allowedLatenessMs, snapshot?})
//     .process(messages) → {output, firstSeq, late}; .flush(); .snapshot()
//   runGraphTest({definition, modules, input}) → sink outputs (`eddy graph test`)
//   messagesFromRecordBatches / recordBatchFromMessages: log records ↔ graph messages
export * from './definition/index.ts';
export {
  MessageBatch,
  MessageBatchBuilder,
  MessageBatchError,
  MESSAGE_HEADER_BYTES,
  KIND_RAW,
  KIND_MESSAGE,
  KIND_SNAPSHOT,
  SNAPSHOT_PREFIX_BYTES,
  encodeProperties,
  compareTimestampBytes,
  readTimestamp,
  writeTimestamp,
  type MessageFields,
  type DecodedMessage,
} from './abi/message_batch.ts';
export { type Hlc, HybridClock, compareHlc, formatHlc } from './time/hlc.ts';
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
  messagesFromRecordBatches,
  appendRecordMessages,
  recordBatchFromMessages,
  CONTENT_TYPE_HEADER,
  SNAPSHOT_FORMAT_HEADER,
  SNAPSHOT_WIDTH_HEADER,
  SNAPSHOT_HEIGHT_HEADER,
  SnapshotRecordError,
  type SourceBatches,
  type SinkBatchOptions,
} from './runtime/record_messages.ts';
export {
  runGraphTest,
  parseTestMessages,
  compilePlanModules,
  GraphTestInputError,
  type TestMessage,
  type ParseTestMessagesOptions,
  type TestOutput,
  type GraphTestOptions,
  type GraphTestResult,
} from './runtime/graph_test_run.ts';
export {
  MetricUpdates,
  GraphMetricsExporter,
  MetricError,
  MetricLabelsError,
  METRIC_PREFIX,
  decodeMetricLabels,
  encodeMetricLabels,
  type MetricUpdate,
  type MetricLabels,
} from './host/metric_updates.ts';
