// @eddy/protocol/internal: what the other Eddy packages, tests and benches share beyond the
// public face (mod.ts): the codec primitives APIs are defined with, and the batch format's
// byte-level helpers (header fields, varints, CRC, compression, record sections, rebasing).
export { Writer } from './codec/writer.ts';
export { Reader } from './codec/reader.ts';
export { DecodeError } from './codec/decode_error.ts';
export * as schema from './codec/schema.ts';
export type { Schema, Infer, StructOf } from './codec/schema.ts';
export { decode, encode } from './codec/schema.ts';
export { defineApi } from './api_spec.ts';
export {
  type Cursor,
  VarintError,
  varint32Size,
  writeVarint32,
  readVarint32,
  varint64Size,
  writeVarint64,
  readVarint64,
  readInt64BE,
  writeInt64BE,
} from './record/varint.ts';
export { crc32c } from './record/crc32c.ts';
export {
  type DecompressOptions,
  isCompressionCode,
  compress,
  decompress,
  compressAsync,
  decompressAsync,
} from './record/compression.ts';
export {
  BatchLayout,
  BATCH_PREAMBLE_SIZE,
  BATCH_HEADER_SIZE,
  MIN_BATCH_LENGTH,
  MIN_BATCH_SIZE,
  BATCH_MAGIC,
  COMPRESSION_MASK,
  MIN_RECORD_SIZE,
  type BatchHeaderFields,
  writeBatchHeader,
  computeBatchCrc,
  writeBatchCrc,
  setBatchBaseOffset,
  batchTotalSize,
  batchPartitionLeaderEpoch,
  setBatchPartitionLeaderEpoch,
  batchCrc,
  batchAttributes,
  batchLastOffsetDelta,
  batchProducerId,
  batchOffsetCount,
  batchHeaderRecordCount,
  recordsSection,
  scanValidPrefix,
  batchPositions,
} from './record/batch.ts';
export { type SectionBatchMeta, encodeBatchFromSection } from './record/records.ts';
export { sectionFrom } from './record/section_from.ts';
export { type BatchValidatorOptions, batchRecordsProblem, sectionRecordsProblem } from './record/batch_validator.ts';
export { recordTailStart, rebasedRecordSize, writeRebasedRecord } from './record/record_rebase.ts';
export { BATCH_START_BYTES, headersBytes } from './record/batch_builder.ts';
export { batchList } from './record/batch_list.ts';
