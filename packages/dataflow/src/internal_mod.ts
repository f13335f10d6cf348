// @eddy/dataflow/internal: what the broker's graph runner, tests and benches share beyond the
// public face (mod.ts): message batch encoding details, log records ↔ graph messages, operator
// metrics.
export {
  MESSAGE_HEADER_BYTES,
  encodeProperties,
  compareTimestampBytes,
  writeTimestamp,
} from './abi/message_batch.ts';
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
export { compilePlanModules } from './runtime/graph_test_run.ts';
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
