// Public face of the storage layer: per-partition logs of segments on local disk.
export { PartitionLog, type PartitionLogOptions, type RetentionResult } from './partition_log.ts';
export type { ReadResult, ReadStats } from './batch_reader.ts';
export type { AppendResult, FlushPolicy, WriterStats } from './flush.ts';
export {
  DEFAULT_INDEX_INTERVAL_BYTES,
  DEFAULT_SEGMENT_BYTES,
  DEFAULT_TAIL_CACHE_BYTES,
  type PartitionLogConfig,
  type ResolvedPartitionLogConfig,
} from './config.ts';
export type { StorageLogger } from './logger.ts';
export {
  CorruptAppendError,
  InvalidConfigError,
  LogClosedError,
  LogFailedError,
  LogWriteError,
  StorageCorruptionError,
  StorageError,
  StorageOffsetOutOfRangeError,
} from './errors.ts';
export { BufferPool } from './buffer_pool.ts';
export { OpenSegments, SHARED_OPEN_SEGMENTS, openSegmentsCapFor } from './open_segments.ts';
export { type LostRange, describeLost } from './damage.ts';
