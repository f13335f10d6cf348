// PartitionLogConfig: what a caller may set, the defaults, and validation.
import { InvalidConfigError } from './errors.ts';
import type { FlushPolicy } from './flush.ts';
import { DEFAULT_INDEX_INTERVAL_BYTES, DEFAULT_SEGMENT_BYTES, DEFAULT_TAIL_CACHE_BYTES } from '../defaults.ts';

export interface PartitionLogConfig {
  /** Roll to a new segment when the active one would grow past this (default 64 MiB). */
  segmentBytes?: number;
  /** Delete closed segments whose newest record is older than this; null/undefined: keep forever. */
  retentionMs?: number | null;
  /** Delete the oldest closed segments while the log is larger than this; null/undefined: no limit. */
  retentionBytes?: number | null;
  /** When an append is acknowledged; see flush.ts for what each policy can lose. */
  flush: FlushPolicy;
  /** Bytes of log between sparse index entries (default 4096). */
  indexIntervalBytes?: number;
  /** Bytes of the newest data kept in memory for tailing readers (default 4 MiB; 0 disables). */
  tailCacheBytes?: number;
}

export interface ResolvedPartitionLogConfig {
  readonly segmentBytes: number;
  readonly retentionMs: number | null;
  readonly retentionBytes: number | null;
  readonly flush: FlushPolicy;
  readonly indexIntervalBytes: number;
  readonly tailCacheBytes: number;
}

export { DEFAULT_INDEX_INTERVAL_BYTES, DEFAULT_SEGMENT_BYTES, DEFAULT_TAIL_CACHE_BYTES };
/** Segment file positions are u32 in the index; one batch larger than a segment overshoots segmentBytes. */
const MAX_SEGMENT_BYTES = 0x7fffffff;

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidConfigError(`${name} must be an integer in [1, ${max}], got ${value}`);
  }
  return value;
}

function optionalLimit(name: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidConfigError(`${name} must be a non-negative integer or null, got ${value}`);
  }
  return value;
}

export function resolveConfig(config: PartitionLogConfig): ResolvedPartitionLogConfig {
  if (config.flush !== 'os' && config.flush !== 'fsync') {
    throw new InvalidConfigError(`flush must be 'os' or 'fsync', got ${String(config.flush)}`);
  }
  const tailCacheBytes = config.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES;
  if (!Number.isSafeInteger(tailCacheBytes) || tailCacheBytes < 0) {
    throw new InvalidConfigError(`tailCacheBytes must be a non-negative integer, got ${tailCacheBytes}`);
  }
  return {
    segmentBytes: positiveInt('segmentBytes', config.segmentBytes ?? DEFAULT_SEGMENT_BYTES, MAX_SEGMENT_BYTES),
    retentionMs: optionalLimit('retentionMs', config.retentionMs),
    retentionBytes: optionalLimit('retentionBytes', config.retentionBytes),
    flush: config.flush,
    indexIntervalBytes: positiveInt('indexIntervalBytes', config.indexIntervalBytes ?? DEFAULT_INDEX_INTERVAL_BYTES, MAX_SEGMENT_BYTES),
    tailCacheBytes,
  };
}
