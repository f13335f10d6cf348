// @eddy/protocol: framing, request/response codecs, the record and batch format.
// Pure functions over buffers: no sockets, no files. This is the face for tools that speak the
// wire directly; the codec primitives and the batch format's byte-level helpers, which the other
// Eddy packages share, are in internal_mod.ts (`@eddy/protocol/internal`).
export { EDDY_VERSION, DEFAULT_PORT, DEFAULT_METRICS_PORT } from './defaults.ts';
export { ApiKey, apiKeyName } from './api_key.ts';
export { ErrorCode, errorCodeName, isRetriable } from './error_code.ts';
export { EddyError, UnknownTopicError, OffsetOutOfRangeError, errorFromCode, offsetOutOfRangeMessage } from './eddy_error.ts';
export { RequestHeader, ResponseHeader } from './header.ts';
export { FrameDecoder, FrameTooLargeError, framed, DEFAULT_MAX_FRAME_BYTES } from './frame.ts';
export type { PartialFrame } from './frame.ts';
export { FrameReader, FrameOrigin, DEFAULT_SCRATCH_BYTES } from './frame_reader.ts';
export type { FrameReaderOptions } from './frame_reader.ts';
export { Apis, apiByKey } from './apis.ts';
export type { ApiName, RequestOf, ResponseOf } from './apis.ts';
export { apiVersionOf, nearestApiVersion, unsupportedVersionMessage } from './api_spec.ts';
export type { ApiSpec, ApiVersion } from './api_spec.ts';
export { encodeRequest, encodeResponse, readRequestHeader, readResponseHeader } from './envelope.ts';
export * from './messages/api_versions.ts';
export * from './messages/smartmodule_invocation.ts';
export * from './messages/produce.ts';
export * from './messages/stream_fetch.ts';
export * from './messages/list_offsets.ts';
export * from './messages/consumer_offsets.ts';
export * from './messages/topic.ts';
export * from './messages/spu.ts';
export * from './messages/smartmodule_admin.ts';
export * from './messages/graph_admin.ts';
export * from './messages/connector_admin.ts';
export * from './messages/watch_metadata.ts';
// The record and batch format: build, walk and check batches.
export {
  Compression,
  type CompressionName,
  type CompressionCode,
  CompressionError,
  parseCompression,
  compressionName,
} from './record/compression.ts';
export {
  NO_TIMESTAMP,
  type CorruptBatchKind,
  CorruptBatchError,
  type BatchHeader,
  type ValidateOptions,
  type ValidateResult,
  readBatchHeader,
  batchBaseOffset,
  batchLastOffset,
  batchNextOffset,
  batchFirstTimestamp,
  batchMaxTimestamp,
  batchRecordCount,
  batchCompression,
  checkBatch,
  validateBatches,
  forEachBatch,
} from './record/batch.ts';
export {
  type RecordHeader,
  type RecordInput,
  type DecodedRecord,
  type BatchOptions,
  type SectionOptions,
  RecordView,
  RecordCursor,
  encodeBatch,
  encodeRecordsSection,
  visitRecords,
  decodeRecords,
} from './record/records.ts';
export { type BatchBuilderOptions, type FinishOptions, BatchBuilder } from './record/batch_builder.ts';
